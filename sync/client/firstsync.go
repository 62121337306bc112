package client

import "psopdesk/sync/wire"

// FirstSyncPageSize is the page size (changes) the client asks for:
// the contract's largest, so that a first sync of a large provider takes
// few transactions (each page is applied in one). A delta of a few
// changes is one small page anyway.
const FirstSyncPageSize = wire.MaxPageSize
