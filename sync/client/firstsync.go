package client

import "psopdesk/sync/wire"

// FirstSyncPageSize is the page size (changes) the client asks for.
const FirstSyncPageSize = wire.DefaultPageSize
