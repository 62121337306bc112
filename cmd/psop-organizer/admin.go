package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"psopdesk/sync/organizer"
	"psopdesk/sync/wire"
)

// adminUsage lists the admin subcommands.
const adminUsage = `usage: psop-organizer admin [-url URL] [-key-file FILE] COMMAND ...
  list [-status S] [-month YYYY-MM] [-provider ID]
  approve EVENT
  reject EVENT
  settle YYYY-MM
  pay EVENT
  credit EVENT REASON EXPLANATION   (REASON: duplicate, wrong_quantity, wrong_date, wrong_customer, wrong_service, other)
  answer EVENT TEXT
  revoke-key KEYFILE                (the key of the file's first line, as -keys-out writes it; - reads stdin)`

// runAdmin runs "psop-organizer admin ...": one admin request to a running
// server, its events printed to stdout.
func runAdmin(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("psop-organizer admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, adminUsage); fs.PrintDefaults() }
	base := fs.String("url", "http://127.0.0.1:8470", "the running organizer server")
	keyFile := fs.String("key-file", "", "file holding the admin key (written by -admin-key-out); else $PSOP_ADMIN_KEY")
	if err := fs.Parse(args); err != nil {
		return err
	}
	key := strings.TrimSpace(os.Getenv("PSOP_ADMIN_KEY"))
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return fmt.Errorf("-key-file: %w", err)
		}
		key = strings.TrimSpace(string(b))
	}
	if key == "" {
		return errors.New("no admin key: give -key-file FILE or set PSOP_ADMIN_KEY")
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return errors.New(adminUsage)
	}
	cmd, rest := rest[0], rest[1:]
	want := func(n int, what string) error {
		if len(rest) != n {
			return fmt.Errorf("admin %s: want %s", cmd, what)
		}
		return nil
	}
	c := adminClient{base: strings.TrimRight(*base, "/"), key: key, http: &http.Client{Timeout: 30 * time.Second}}
	var evs []organizer.Event
	var err error
	switch cmd {
	case "list":
		lf := flag.NewFlagSet("psop-organizer admin list", flag.ContinueOnError)
		lf.SetOutput(stderr)
		status := lf.String("status", "", "only events in this status (e.g. in_review)")
		month := lf.String("month", "", "only events dated in this month, YYYY-MM")
		provider := lf.String("provider", "", "only this provider's events")
		if err := lf.Parse(rest); err != nil {
			return err
		}
		q := url.Values{}
		for k, v := range map[string]string{"status": *status, "month": *month, "provider": *provider} {
			if v != "" {
				q.Set(k, v)
			}
		}
		evs, err = c.do(http.MethodGet, "/events?"+q.Encode(), nil)
	case "approve", "reject", "pay":
		if err := want(1, "EVENT"); err != nil {
			return err
		}
		evs, err = c.do(http.MethodPost, "/events/"+url.PathEscape(rest[0])+"/"+cmd, nil)
	case "credit":
		if err := want(3, "EVENT REASON EXPLANATION"); err != nil {
			return err
		}
		evs, err = c.do(http.MethodPost, "/events/"+url.PathEscape(rest[0])+"/credit",
			&organizer.AdminRequest{Reason: rest[1], Explanation: rest[2]})
	case "answer":
		if err := want(2, "EVENT TEXT"); err != nil {
			return err
		}
		evs, err = c.do(http.MethodPost, "/events/"+url.PathEscape(rest[0])+"/answer", &organizer.AdminRequest{Answer: rest[1]})
	case "settle":
		if err := want(1, "YYYY-MM"); err != nil {
			return err
		}
		evs, err = c.do(http.MethodPost, "/settlements", &organizer.AdminRequest{Month: rest[0]})
	case "revoke-key":
		if err := want(1, "KEYFILE"); err != nil {
			return err
		}
		var b []byte
		if rest[0] == "-" {
			b, err = io.ReadAll(os.Stdin)
		} else {
			b, err = os.ReadFile(rest[0])
		}
		if err != nil {
			return fmt.Errorf("admin revoke-key: %w", err)
		}
		line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
		key := strings.TrimSpace(line)
		if f := strings.Split(line, "\t"); len(f) >= 2 {
			key = strings.TrimSpace(f[1])
		}
		if _, err := c.do(http.MethodPost, "/keys/revoke", &organizer.AdminRequest{Key: key}); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "key revoked")
		return nil
	default:
		return fmt.Errorf("unknown admin command %q\n%s", cmd, adminUsage)
	}
	if err != nil {
		return err
	}
	for _, e := range evs {
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\tv%d\n", e.ID, e.ProviderID, e.Date, e.Status, e.Version)
	}
	if cmd != "list" {
		fmt.Fprintf(stdout, "%d events changed\n", len(evs))
	}
	return nil
}

// adminClient calls the admin endpoints of a running server.
type adminClient struct {
	base, key string
	http      *http.Client
}

func (c adminClient) do(method, path string, body *organizer.AdminRequest) ([]organizer.Event, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+organizer.AdminPath+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var er wire.ErrorReply
		if json.Unmarshal(b, &er) == nil && er.Code != "" {
			return nil, fmt.Errorf("refused (%d %s): %s", resp.StatusCode, er.Code, er.Message)
		}
		return nil, fmt.Errorf("server answered %s", resp.Status)
	}
	var rep organizer.AdminReply
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("server reply: %w", err)
	}
	return rep.Events, nil
}
