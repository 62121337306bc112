package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"psopdesk/sync/wire"
)

// Push sends one command (POST /v1/commands with its id as the
// Idempotency-Key) and gives the server's answer: applied (with the feed
// position that carries its effect) or refused (with a code). Sending the
// same command again is safe: the server answers the same and applies it
// once. An *Error says the answer is not known (no connection, a server
// failure, a reply that is not an answer): the command may or may not have
// been applied, and must be sent again with the same id.
func (cl *Client) Push(ctx context.Context, cmd wire.Command) (wire.Answer, error) {
	var ans wire.Answer
	resp, err := cl.http.R().
		SetContext(ctx).
		SetHeader(wire.HeaderIdempotencyKey, cmd.ID).
		SetHeader("Content-Type", "application/json").
		SetBody(cmd).
		Post(wire.PathCommands)
	if err != nil {
		return ans, transportError(ctx, err)
	}
	switch code := resp.StatusCode(); code {
	case http.StatusOK, http.StatusConflict, http.StatusUnprocessableEntity:
		if err := json.Unmarshal(resp.Body(), &ans); err != nil {
			return ans, &Error{BadReply, fmt.Errorf("reply to a command is not an answer: %w", err)}
		}
		switch {
		case code == http.StatusOK && ans.Status == wire.StatusApplied:
			return ans, nil
		case code != http.StatusOK && ans.Status == wire.StatusRefused && ans.Code != "":
			return ans, nil
		}
		return ans, &Error{BadReply, fmt.Errorf("HTTP %d with answer status %q", code, ans.Status)}
	default:
		return ans, statusFailure(resp)
	}
}
