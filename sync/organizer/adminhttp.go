package organizer

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"psopdesk/data"
	"psopdesk/sync/wire"
)

// AdminPath is the root of the organizer's admin endpoints. Every request
// carries "Authorization: Bearer ADMINKEY" (Store.CreateAdminKey; a
// provider's API key is not an admin key): 401 unauthorized without one.
//
//	GET  /v1/admin/events?status=S&provider=P&month=YYYY-MM  the events (Store.Events)
//	POST /v1/admin/events/{id}/approve                        in_review → approved
//	POST /v1/admin/events/{id}/reject                         in_review → rejected
//	POST /v1/admin/events/{id}/pay                            settled → paid
//	POST /v1/admin/events/{id}/credit   {"reason", "explanation"}  → credited
//	POST /v1/admin/events/{id}/answer   {"answer"}            answers a credit request
//	POST /v1/admin/settlements          {"month": "YYYY-MM"}  settles the month (Store.Settle)
//	POST /v1/admin/keys/revoke          {"key": "psopk_…"}   revokes a provider's API key (Store.RevokeKey)
//
// A change answers 200 with an AdminReply holding the changed events (the
// new state, version + 1; each is also a Put in its provider's feed). A
// refusal answers a wire.ErrorReply: 404 not_found (no such event or
// endpoint), 409 with the code data.CodeEventStatus ("event_status": the
// status does not allow it) or CodeMonthNotLocked, 422 with another code
// (data.CodeCreditReason, data.CodeCreditExplanation, CodeNoCreditRequest,
// CodeAnswerEmpty, "validation" for a malformed body or month), 500
// internal. The store's clock (Store.Now) is the time of each change.
const AdminPath = "/v1/admin"

// AdminReply is the reply of an admin endpoint: the events it changed (or
// listed), with their providers.
type AdminReply struct {
	Events []Event `json:"events"`
}

// AdminRequest is the body of the admin's POST endpoints; the fields used
// depend on the endpoint.
type AdminRequest struct {
	Reason      string `json:"reason,omitempty"`      // credit: one of data.CreditReasons
	Explanation string `json:"explanation,omitempty"` // credit
	Answer      string `json:"answer,omitempty"`      // answer
	Month       string `json:"month,omitempty"`       // settlements: "YYYY-MM"
	Key         string `json:"key,omitempty"`         // keys/revoke: the API key to revoke
}

func (h *handler) adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+AdminPath+"/events", h.admin(h.adminList))
	mux.HandleFunc("POST "+AdminPath+"/events/{id}/{action}", h.admin(h.adminEvent))
	mux.HandleFunc("POST "+AdminPath+"/settlements", h.admin(h.adminSettle))
	mux.HandleFunc("POST "+AdminPath+"/keys/revoke", h.admin(h.adminRevoke))
}

// adminRevoke revokes the provider's API key of the body's "key"
// (Store.RevokeKey): 200 with no events, 404 not_found for a key the
// store does not hold.
func (h *handler) adminRevoke(w http.ResponseWriter, r *http.Request, now time.Time) {
	req, ok := readAdminRequest(w, r)
	if !ok {
		return
	}
	switch err := h.s.RevokeKey(strings.TrimSpace(req.Key), now); {
	case errors.Is(err, ErrUnknownKey):
		writeError(w, http.StatusNotFound, "not_found", "no such API key")
	case err != nil:
		h.adminFailed(w, err)
	default:
		writeAdmin(w, nil)
	}
}

// admin wraps an admin endpoint with the admin key check.
func (h *handler) admin(next func(w http.ResponseWriter, r *http.Request, now time.Time)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		now := h.now()
		name, err := h.s.AuthenticateAdmin(bearer(r), now)
		if errors.Is(err, ErrUnauthorized) {
			writeError(w, http.StatusUnauthorized, "unauthorized", "missing, unknown or expired admin key")
			return
		}
		if err != nil {
			writeError(w, http.StatusInternalServerError, "internal", "key check failed")
			return
		}
		if sw, ok := w.(*statusWriter); ok {
			sw.provider = "admin:" + name
		}
		next(w, r, now)
	}
}

func writeAdmin(w http.ResponseWriter, events []Event) {
	if events == nil {
		events = []Event{}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(AdminReply{Events: events})
}

// adminFailed answers err of an admin change.
func (h *handler) adminFailed(w http.ResponseWriter, err error) {
	var de *data.Error
	switch {
	case errors.Is(err, ErrEventNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no such event")
	case errors.As(err, &de) && (de.Code == data.CodeEventStatus || de.Code == CodeMonthNotLocked):
		writeError(w, http.StatusConflict, de.Code, de.Detail)
	case errors.As(err, &de):
		writeError(w, http.StatusUnprocessableEntity, de.Code, de.Detail)
	default:
		h.log.Error("admin change failed", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "the change failed")
	}
}

func readAdminRequest(w http.ResponseWriter, r *http.Request) (AdminRequest, bool) {
	var req AdminRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, wire.MaxCommandBytes))
	if err != nil {
		writeError(w, http.StatusBadRequest, "validation", "reading the request body failed")
		return req, false
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			writeError(w, http.StatusUnprocessableEntity, "validation", "the body is not a JSON admin request")
			return req, false
		}
	}
	return req, true
}

// parseMonth reads "YYYY-MM".
func parseMonth(s string) (int, time.Month, bool) {
	t, err := time.Parse("2006-01", strings.TrimSpace(s))
	if err != nil {
		return 0, 0, false
	}
	return t.Year(), t.Month(), true
}

func (h *handler) adminList(w http.ResponseWriter, r *http.Request, _ time.Time) {
	q := r.URL.Query()
	f := EventFilter{Status: data.Status(q.Get("status")), ProviderID: q.Get("provider")}
	if f.Status != "" && !f.Status.Valid() {
		writeError(w, http.StatusBadRequest, "validation", "unknown status")
		return
	}
	if m := q.Get("month"); m != "" {
		var ok bool
		if f.Year, f.Month, ok = parseMonth(m); !ok {
			writeError(w, http.StatusBadRequest, "validation", "month must be YYYY-MM")
			return
		}
	}
	evs, err := h.s.Events(f)
	if err != nil {
		h.adminFailed(w, err)
		return
	}
	writeAdmin(w, evs)
}

func (h *handler) adminEvent(w http.ResponseWriter, r *http.Request, now time.Time) {
	id := r.PathValue("id")
	req, ok := readAdminRequest(w, r)
	if !ok {
		return
	}
	var ev Event
	var err error
	switch r.PathValue("action") {
	case "approve":
		ev, err = h.s.Approve(id, now)
	case "reject":
		ev, err = h.s.Reject(id, now)
	case "pay":
		ev, err = h.s.MarkPaid(id, now)
	case "credit":
		ev, err = h.s.Credit(id, req.Reason, req.Explanation, now)
	case "answer":
		ev, err = h.s.AnswerCreditRequest(id, req.Answer, now)
	default:
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint")
		return
	}
	if err != nil {
		h.adminFailed(w, err)
		return
	}
	writeAdmin(w, []Event{ev})
}

func (h *handler) adminSettle(w http.ResponseWriter, r *http.Request, now time.Time) {
	req, ok := readAdminRequest(w, r)
	if !ok {
		return
	}
	y, m, ok := parseMonth(req.Month)
	if !ok {
		writeError(w, http.StatusUnprocessableEntity, "validation", "month must be YYYY-MM")
		return
	}
	evs, err := h.s.Settle(y, m, now)
	if err != nil {
		h.adminFailed(w, err)
		return
	}
	writeAdmin(w, evs)
}
