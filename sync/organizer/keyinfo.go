package organizer

import (
	"encoding/json"
	"net/http"

	"psopdesk/sync/wire"
)

// key answers GET /v1/key with the wire.KeyInfo of the request's key:
// when it expires, so that the desk warns its user in time.
func (h *handler) key(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "validation", "use GET")
		return
	}
	who, ok := h.auth(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(wire.KeyInfo{Expires: who.KeyExpires.UTC()})
}
