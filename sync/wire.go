// Package sync is the wire contract between PSOP Desk and the organizer's
// server, and the HTTP client (resty) that pulls the change feed into the
// local cache.
//
// Contract (JSON over HTTP, UTF-8):
//
//	GET /v1/changes?after=SEQ&limit=N
//	Authorization: Bearer API_KEY
//
// answers 200 with a ChangesPage: the feed's name, the provider's changes with Seq > SEQ in
// Seq order, at most N of them (N defaults to DefaultPageSize and is capped
// at MaxPageSize). Next is the cursor to ask with next time (the last
// change's Seq, or SEQ when the page is empty); More tells that changes
// remain after Next. Errors answer 4xx/5xx with an ErrorReply:
// 401 "unauthorized" (missing, unknown or expired key), 400 "validation".
// A provider's feed carries only what the provider may see: its own
// customers, their grants, vouchers, reservations and its own events.
package sync

import "psopdesk/data/cache"

// Page sizes of the change feed.
const (
	DefaultPageSize = 500
	MaxPageSize     = 2000
)

// Change is one change of the feed; see cache.Change.
type Change = cache.Change

// ChangesPage is the reply of GET /v1/changes.
type ChangesPage struct {
	// Feed names the provider's feed on this server (stable while the
	// server keeps its data). When it is not the feed the cache was filled
	// from, the client empties the cache and starts over from 0, so that a
	// cursor of another server or of a reset server is never reused.
	Feed    string   `json:"feed,omitempty"`
	Changes []Change `json:"changes"`
	Next    uint64   `json:"next"`
	More    bool     `json:"more"`
}

// ErrorReply is the body of every non-2xx reply.
type ErrorReply struct {
	Code    string `json:"code"`    // unauthorized, validation, not_found, internal
	Message string `json:"message"` // English detail, never personal data
}
