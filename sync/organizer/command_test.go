package organizer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"psopdesk/data"
	"psopdesk/sync/wire"
)

// cmdFixture is scenario-small plus extra customers of prov-1 (cust-2 …
// cust-9, visible: an event of prov-1 in November 2026, no numbers), a
// customer no provider sees (cust-hidden: a voucher and grant, no event)
// and a second provider prov-2 (no customers), served over HTTP.
type cmdFixture struct {
	path string
	st   *Store
	srv  *httptest.Server
	key  string // prov-1's
	key2 string // prov-2's
}

const extraCustomers = 8

func cmdDataset(t testing.TB) Dataset {
	t.Helper()
	ds := loadSmall(t)
	var more Dataset
	more.Providers = []data.Provider{{ID: "prov-2", Name: "Toinen Oy", BusinessID: "0112038-9"}}
	add := func(id string, n int, visible bool) {
		h := makeHetu(data.NewDate(1940, 1, n), '-', 900+2*n)
		more.Customers = append(more.Customers, data.Customer{ID: id, FirstNames: "Testi", LastName: "Asiakas", Hetu: h})
		vn := fmt.Sprintf("%09d", 500000000+n)
		g := data.Grant{ID: "g-" + id, CustomerID: id, ServiceID: "svc-home", VoucherNumber: vn,
			ValidFrom: data.NewDate(2026, 1, 1), ValidTo: data.NewDate(2026, 12, 31),
			Kind: data.KindPurchasingPower, Period: data.PeriodMonth, GrantedQuantity: 1000, VoucherUnitValue: 3600}
		more.Vouchers = append(more.Vouchers, data.Voucher{Number: vn, CustomerID: id, ServiceID: "svc-home",
			DecisionDate: g.ValidFrom, ValidFrom: g.ValidFrom, ValidTo: g.ValidTo, ValueType: data.ValueFixed})
		more.Grants = append(more.Grants, g)
		if visible {
			more.Events = append(more.Events, Event{ProviderID: "prov-1", ServiceEvent: data.ServiceEvent{
				ID: "ev-" + id, CustomerID: id, GrantID: g.ID, ServiceID: "svc-home", Date: data.NewDate(2026, 11, 10),
				Content: "Kotihoidon käynti", Quantity: 100, UnitPrice: 4250, VoucherUnitValue: 3600,
				Status: data.StatusRecorded, Version: 1, RecordedAt: time.Date(2026, 11, 10, 14, 0, 0, 0, time.UTC)}})
		}
	}
	for i := range extraCustomers {
		add(fmt.Sprintf("cust-%d", i+2), i+2, true)
	}
	add("cust-hidden", 20, false)
	return ds.Merge(more)
}

func newCmdFixture(t testing.TB) *cmdFixture {
	t.Helper()
	f := &cmdFixture{path: filepath.Join(t.TempDir(), "org.db")}
	st, err := Open(f.path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(cmdDataset(t), demoNow); err != nil {
		t.Fatal(err)
	}
	if f.key, err = st.CreateKey("prov-1", "test", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if f.key2, err = st.CreateKey("prov-2", "test", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	f.serve(t, st)
	t.Cleanup(f.close)
	return f
}

func (f *cmdFixture) serve(t testing.TB, st *Store) {
	f.st = st
	f.srv = httptest.NewServer(Handler(st, nil))
}

func (f *cmdFixture) close() {
	if f.srv != nil {
		f.srv.Close()
		f.srv = nil
	}
	if f.st != nil {
		f.st.Close()
		f.st = nil
	}
}

// reopen closes the server and the store and opens both anew on the file.
func (f *cmdFixture) reopen(t testing.TB) {
	t.Helper()
	f.close()
	st, err := Open(f.path)
	if err != nil {
		t.Fatal(err)
	}
	f.serve(t, st)
}

// send posts cmd with the Idempotency-Key header idem ("" leaves it out)
// and decodes the reply as an Answer.
func send(t testing.TB, url, key, idem string, body []byte) (int, wire.Answer) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+wire.PathCommands, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	if idem != "" {
		req.Header.Set(wire.HeaderIdempotencyKey, idem)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var a wire.Answer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("reply %d %q is not an Answer: %v", resp.StatusCode, b, err)
	}
	return resp.StatusCode, a
}

func (f *cmdFixture) do(t testing.TB, cmd wire.Command) (int, wire.Answer) {
	t.Helper()
	b, err := json.Marshal(cmd)
	if err != nil {
		t.Fatal(err)
	}
	return send(t, f.srv.URL, f.key, cmd.ID, b)
}

func setNumber(id, customer, number string) wire.Command {
	return wire.Command{ID: id, Type: wire.SetCustomerNumber, CustomerID: customer, CustomerNumber: number}
}

func removeNumber(id, customer string) wire.Command {
	return wire.Command{ID: id, Type: wire.RemoveCustomerNumber, CustomerID: customer}
}

// changesAfter is prov-1's feed after seq, over HTTP.
func (f *cmdFixture) changesAfter(t testing.TB, after uint64) wire.ChangesPage {
	t.Helper()
	code, b := get(t, fmt.Sprintf("%s%s?after=%d&limit=%d", f.srv.URL, wire.PathChanges, after, wire.MaxPageSize), "Bearer "+f.key)
	var p wire.ChangesPage
	if code != http.StatusOK || json.Unmarshal(b, &p) != nil {
		t.Fatalf("changes after %d: %d %s", after, code, b)
	}
	return p
}

func (f *cmdFixture) last(t testing.TB) uint64 {
	t.Helper()
	seq, err := f.st.LastSeq("prov-1")
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// wantCustomerPut checks that p is exactly one customer Put of id at seq
// whose record has the customer number number ("" for none).
func wantCustomerPut(t testing.TB, p wire.ChangesPage, seq uint64, id, number string) {
	t.Helper()
	if len(p.Changes) != 1 {
		t.Fatalf("%d changes, want 1: %+v", len(p.Changes), p.Changes)
	}
	c := p.Changes[0]
	var cu data.Customer
	if err := json.Unmarshal(c.Data, &cu); err != nil {
		t.Fatal(err)
	}
	if c.Seq != seq || c.Kind != wire.KindCustomer || c.Op != wire.OpPut || c.ID != id || cu.ID != id || cu.CustomerNumber != number {
		t.Fatalf("change %d %s %s %s number %q, want %d customer put %s number %q", c.Seq, c.Kind, c.Op, c.ID, cu.CustomerNumber, seq, id, number)
	}
	if number == "" && strings.Contains(string(c.Data), "customer_number") {
		t.Errorf("record without a number has %s", c.Data)
	}
}

func applied(t testing.TB, code int, a wire.Answer) {
	t.Helper()
	if code != http.StatusOK || a.Status != wire.StatusApplied || a.Seq == 0 || a.Code != "" {
		t.Fatalf("answer %d %+v, want applied", code, a)
	}
}

// storedNumbers is provider → customer → number as stored.
func storedNumbers(t testing.TB, st *Store) map[string]map[string]string {
	t.Helper()
	ds, err := st.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, n := range ds.Numbers {
		if out[n.ProviderID] == nil {
			out[n.ProviderID] = map[string]string{}
		}
		out[n.ProviderID][n.CustomerID] = n.Number
	}
	return out
}

func TestCommandSetNumberIdempotent(t *testing.T) {
	f := newCmdFixture(t)
	head := f.last(t)
	cmd := setNumber("cmd-1", "cust-2", "  b-77 ") // stored trimmed, as typed otherwise
	code, a := f.do(t, cmd)
	applied(t, code, a)
	if a.Seq != head+1 {
		t.Errorf("seq %d, want %d", a.Seq, head+1)
	}
	p := f.changesAfter(t, head)
	wantCustomerPut(t, p, a.Seq, "cust-2", "b-77")
	if p.Next != a.Seq || p.More {
		t.Errorf("page next %d more %v", p.Next, p.More)
	}

	// The same id and body: the same answer, nothing applied again.
	if code2, a2 := f.do(t, cmd); code2 != code || a2 != a {
		t.Errorf("replay: %d %+v, want %d %+v", code2, a2, code, a)
	}
	if f.last(t) != a.Seq {
		t.Errorf("replay moved the feed to %d", f.last(t))
	}
	// The same id with another body: refused, the stored answer stays.
	other := cmd
	other.CustomerNumber = "B-78"
	if code, r := f.do(t, other); code != 422 || r.Status != wire.StatusRefused || r.Code != wire.CodeValidation || r.Reason != wire.ReasonIDReused || r.Message == "" {
		t.Errorf("id reused: %d %+v", code, r)
	}
	// After a restart (store file closed and opened, a new server).
	f.reopen(t)
	if code2, a2 := f.do(t, cmd); code2 != code || a2 != a {
		t.Errorf("replay after reopen: %d %+v, want %d %+v", code2, a2, code, a)
	}
	if f.last(t) != a.Seq {
		t.Errorf("replay after reopen moved the feed to %d", f.last(t))
	}
	if code, r := f.do(t, other); code != 422 || r.Reason != wire.ReasonIDReused {
		t.Errorf("id reused after reopen: %d %+v", code, r)
	}
	if n := storedNumbers(t, f.st)["prov-1"]; n["cust-2"] != "b-77" || n["cust-1"] != "A-1001" {
		t.Errorf("stored numbers %v", n)
	}
	// Another provider's same id is its own command: prov-2 does not see cust-2.
	b, _ := json.Marshal(cmd)
	if code, r := send(t, f.srv.URL, f.key2, cmd.ID, b); code != 422 || r.Code != wire.CodeNotFound {
		t.Errorf("prov-2 with prov-1's id: %d %+v", code, r)
	}
}

func TestCommandSameNumberConcurrently(t *testing.T) {
	f := newCmdFixture(t)
	head := f.last(t)
	type result struct {
		code int
		a    wire.Answer
	}
	results := make([]result, extraCustomers)
	var wg gosync.WaitGroup
	start := make(chan struct{})
	for i := range extraCustomers {
		wg.Go(func() {
			<-start
			code, a := f.do(t, setNumber(fmt.Sprintf("race-%d", i), fmt.Sprintf("cust-%d", i+2), "X-500"))
			results[i] = result{code, a}
		})
	}
	close(start)
	wg.Wait()
	winner := ""
	for i, r := range results {
		switch {
		case r.code == 200 && r.a.Status == wire.StatusApplied:
			if winner != "" {
				t.Fatalf("two customers got the number: %s and cust-%d", winner, i+2)
			}
			winner = fmt.Sprintf("cust-%d", i+2)
			if r.a.Seq != head+1 {
				t.Errorf("winner's seq %d, want %d", r.a.Seq, head+1)
			}
		case r.code == 409 && r.a.Code == wire.CodeCustomerNumberTaken:
			if r.a.Message == "" || strings.Contains(r.a.Message, "cust-") || strings.Contains(r.a.Message, "X-500") {
				t.Errorf("refusal message %q", r.a.Message)
			}
		default:
			t.Errorf("cust-%d: %d %+v", i+2, r.code, r.a)
		}
	}
	if winner == "" {
		t.Fatal("nobody got the number")
	}
	holders := 0
	for _, n := range storedNumbers(t, f.st)["prov-1"] {
		if data.CustomerNumberKey(n) == "X-500" {
			holders++
		}
	}
	if holders != 1 {
		t.Errorf("%d customers hold X-500", holders)
	}
	wantCustomerPut(t, f.changesAfter(t, head), head+1, winner, "X-500")
	// Case does not make another number.
	loser := "cust-2"
	if winner == loser {
		loser = "cust-3"
	}
	if code, a := f.do(t, setNumber("race-lower", loser, "x-500")); code != 409 || a.Code != wire.CodeCustomerNumberTaken {
		t.Errorf("x-500: %d %+v", code, a)
	}
}

func TestCommandRemoveFreesNumber(t *testing.T) {
	f := newCmdFixture(t)
	if code, a := f.do(t, setNumber("take", "cust-2", "A-1001")); code != 409 || a.Code != wire.CodeCustomerNumberTaken {
		t.Fatalf("A-1001 of cust-1 for cust-2: %d %+v", code, a)
	}
	head := f.last(t)
	code, a := f.do(t, removeNumber("rm", "cust-1"))
	applied(t, code, a)
	wantCustomerPut(t, f.changesAfter(t, head), head+1, "cust-1", "")
	code, a = f.do(t, setNumber("take-again", "cust-2", "a-1001"))
	applied(t, code, a)
	wantCustomerPut(t, f.changesAfter(t, head+1), head+2, "cust-2", "a-1001")

	// Nothing to change: applied at the feed's last seq, no new change.
	last := f.last(t)
	for _, cmd := range []wire.Command{removeNumber("rm-again", "cust-1"), setNumber("same", "cust-2", "a-1001"),
		removeNumber("rm-never", "cust-3")} {
		code, a := f.do(t, cmd)
		applied(t, code, a)
		if a.Seq != last || f.last(t) != last {
			t.Errorf("%s: seq %d, feed at %d, want %d", cmd.ID, a.Seq, f.last(t), last)
		}
	}
	// Changing a number frees the old one.
	code, a = f.do(t, setNumber("renumber", "cust-2", "A-2000"))
	applied(t, code, a)
	code, a = f.do(t, setNumber("old-free", "cust-3", "A-1001"))
	applied(t, code, a)
	n := storedNumbers(t, f.st)["prov-1"]
	if len(n) != 2 || n["cust-2"] != "A-2000" || n["cust-3"] != "A-1001" {
		t.Errorf("stored numbers %v", n)
	}
}

func TestCommandRefusals(t *testing.T) {
	f := newCmdFixture(t)
	head := f.last(t)
	body := func(cmd wire.Command) []byte {
		b, _ := json.Marshal(cmd)
		return b
	}
	long := strings.Repeat("7", data.CustomerNumberMaxLen+1)
	cases := []struct {
		name         string
		idem         string
		body         []byte
		status       int
		code         wire.RefusalCode
		reason       string
		replayStored bool
	}{
		{"unknown customer", "c1", body(setNumber("c1", "cust-nobody", "Z-1")), 422, wire.CodeNotFound, "", true},
		{"customer not visible", "c2", body(setNumber("c2", "cust-hidden", "Z-1")), 422, wire.CodeNotFound, "", true},
		{"remove not visible", "c3", body(removeNumber("c3", "cust-hidden")), 422, wire.CodeNotFound, "", true},
		{"bad character", "c4", body(setNumber("c4", "cust-2", "A 1")), 422, wire.CodeValidation, data.CodeCustomerNumberChars, true},
		{"empty number", "c5", body(setNumber("c5", "cust-2", "  ")), 422, wire.CodeValidation, data.CodeCustomerNumberEmpty, true},
		{"too long", "c6", body(setNumber("c6", "cust-2", long)), 422, wire.CodeValidation, data.CodeCustomerNumberTooLong, true},
		{"unknown type", "c7", body(wire.Command{ID: "c7", Type: "merge_customers", CustomerID: "cust-2"}), 422, wire.CodeValidation, wire.ReasonUnknownType, true},
		{"no customer id", "c8", body(setNumber("c8", "", "Z-1")), 422, wire.CodeValidation, wire.ReasonMalformed, true},
		{"key mismatch", "c9-other", body(setNumber("c9", "cust-2", "Z-1")), 422, wire.CodeValidation, wire.ReasonMalformed, false},
		{"no key header", "", body(setNumber("c10", "cust-2", "Z-1")), 422, wire.CodeValidation, wire.ReasonMalformed, false},
		{"no id", "", body(setNumber("", "cust-2", "Z-1")), 422, wire.CodeValidation, wire.ReasonMalformed, false},
		{"not JSON", "c11", []byte(`{"id": "c11", `), 422, wire.CodeValidation, wire.ReasonMalformed, false},
		{"too large", "c12", append([]byte(`{"id":"c12","pad":"`), append(bytes.Repeat([]byte("x"), wire.MaxCommandBytes), `"}`...)...),
			422, wire.CodeValidation, wire.ReasonMalformed, false},
		{"id too long", strings.Repeat("i", 300), body(setNumber(strings.Repeat("i", 300), "cust-2", "Z-1")), 422, wire.CodeValidation, wire.ReasonMalformed, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, a := send(t, f.srv.URL, f.key, c.idem, c.body)
			if code != c.status || a.Status != wire.StatusRefused || a.Code != c.code || a.Reason != c.reason || a.Message == "" {
				t.Fatalf("%d %+v, want %d %s %s", code, a, c.status, c.code, c.reason)
			}
			if strings.Contains(a.Message, "cust-") {
				t.Errorf("message %q names a customer", a.Message)
			}
			if c.replayStored {
				if code2, a2 := send(t, f.srv.URL, f.key, c.idem, c.body); code2 != code || a2 != a {
					t.Errorf("replay: %d %+v", code2, a2)
				}
			}
		})
	}
	if f.last(t) != head {
		t.Errorf("refusals moved the feed from %d to %d", head, f.last(t))
	}
	if n := storedNumbers(t, f.st)["prov-1"]; len(n) != 1 {
		t.Errorf("refusals changed numbers: %v", n)
	}

	// Unknown fields are ignored.
	code, a := send(t, f.srv.URL, f.key, "c13", []byte(`{"id":"c13","type":"set_customer_number","customer_id":"cust-2","customer_number":"Z-1","note":"x"}`))
	applied(t, code, a)

	// Errors that are not answers: wrong key, wrong method.
	for _, auth := range []string{"", "Bearer psopk_0000", "Basic " + f.key} {
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+wire.PathCommands, bytes.NewReader(body(setNumber("c14", "cust-2", "Z-2"))))
		req.Header.Set(wire.HeaderIdempotencyKey, "c14")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e wire.ErrorReply
		err = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != 401 || err != nil || e.Code != "unauthorized" {
			t.Errorf("auth %q: %d %+v %v", auth, resp.StatusCode, e, err)
		}
	}
	code, b := get(t, f.srv.URL+wire.PathCommands, "Bearer "+f.key)
	var e wire.ErrorReply
	if code != http.StatusMethodNotAllowed || json.Unmarshal(b, &e) != nil || e.Code == "" {
		t.Errorf("GET commands: %d %s", code, b)
	}
	if n := storedNumbers(t, f.st)["prov-1"]; n["cust-2"] != "Z-1" {
		t.Errorf("unauthorized commands changed numbers: %v", n)
	}
}

// Apply after commands: the feed records the commands made are what
// index.feed makes, so nothing is appended for their customers, and the
// rebuilt index still holds their numbers.
func TestApplyAfterCommandsAddsNothing(t *testing.T) {
	f := newCmdFixture(t)
	for _, cmd := range []wire.Command{setNumber("s2", "cust-2", "Ö-12"), setNumber("s3", "cust-3", "B-3"),
		removeNumber("r1", "cust-1"), setNumber("s4", "cust-4", "A-1001")} {
		code, a := f.do(t, cmd)
		applied(t, code, a)
	}
	head := f.last(t)
	stats, err := f.st.Apply(Dataset{}, demoNow)
	if err != nil {
		t.Fatal(err)
	}
	if n := stats.Changes["prov-1"]; n != 0 || f.last(t) != head {
		p := f.changesAfter(t, head)
		t.Fatalf("Apply after commands appended %d: %+v", n, p.Changes)
	}
	if code, a := f.do(t, setNumber("s5", "cust-5", "ö-12")); code != 409 || a.Code != wire.CodeCustomerNumberTaken {
		t.Errorf("number set by a command, after Apply: %d %+v", code, a)
	}
	// A data set that clashes with a number a command set is refused.
	ds := Dataset{Numbers: []CustomerNumber{{ProviderID: "prov-1", CustomerID: "cust-6", Number: "b-3"}}}
	if _, err := f.st.Apply(ds, demoNow); err == nil || !strings.Contains(err.Error(), "in use twice") {
		t.Errorf("clashing data set: %v", err)
	}
	// Apply moves a number: the index follows.
	ds = Dataset{Numbers: []CustomerNumber{{ProviderID: "prov-1", CustomerID: "cust-3", Number: "B-4"}}}
	if _, err := f.st.Apply(ds, demoNow); err != nil {
		t.Fatal(err)
	}
	code, a := f.do(t, setNumber("s6", "cust-6", "B-3"))
	applied(t, code, a)
	if code, a := f.do(t, setNumber("s7", "cust-7", "b-4")); code != 409 {
		t.Errorf("number Apply set: %d %+v", code, a)
	}
}

// A file made before the number index gets it when opened.
func TestOpenBuildsMissingNumberIndex(t *testing.T) {
	f := newCmdFixture(t)
	f.close()
	db, err := bolt.Open(f.path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bNumIdx) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	f.reopen(t)
	if code, a := f.do(t, setNumber("x", "cust-2", "a-1001")); code != 409 || a.Code != wire.CodeCustomerNumberTaken {
		t.Errorf("after reopen: %d %+v", code, a)
	}
}

func TestCommandLogHasNoNumber(t *testing.T) {
	f := newCmdFixture(t)
	var logs strings.Builder
	var mu gosync.Mutex
	h := Handler(f.st, slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil)))
	for i, n := range []string{"Q-123456", "A-1001", "Q 9"} {
		b, _ := json.Marshal(setNumber(fmt.Sprint("log-", i), "cust-2", n))
		req := httptest.NewRequest(http.MethodPost, wire.PathCommands, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+f.key)
		req.Header.Set(wire.HeaderIdempotencyKey, fmt.Sprint("log-", i))
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	out := logs.String()
	for _, n := range []string{"Q-123456", "A-1001", "Q 9", f.key[len(KeyPrefix):]} {
		if strings.Contains(out, n) {
			t.Errorf("log shows %q: %s", n, out)
		}
	}
	for _, want := range []string{"command=set_customer_number", "customer=cust-2", "provider=prov-1", "status=200", "status=409",
		"answer=customer_number_taken", "answer=validation/customer_number_chars", "path=/v1/commands"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s: %s", want, out)
		}
	}
}

type lockedWriter struct {
	mu *gosync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// latestCustomers pulls provider's whole feed from url and gives each
// customer's latest record and its seq (customers deleted last left out).
func latestCustomers(t testing.TB, url, key string) (map[string]data.Customer, map[string]uint64, uint64) {
	t.Helper()
	recs, seqs := map[string]data.Customer{}, map[string]uint64{}
	var after uint64
	for {
		code, body := get(t, fmt.Sprintf("%s%s?after=%d&limit=%d", url, wire.PathChanges, after, wire.MaxPageSize), "Bearer "+key)
		var p wire.ChangesPage
		if code != 200 || json.Unmarshal(body, &p) != nil {
			t.Fatalf("%d %s", code, body)
		}
		for _, c := range p.Changes {
			if c.Kind != wire.KindCustomer {
				continue
			}
			if c.Op == wire.OpDelete {
				delete(recs, c.ID)
				delete(seqs, c.ID)
				continue
			}
			var cu data.Customer
			if err := json.Unmarshal(c.Data, &cu); err != nil {
				t.Fatal(err)
			}
			recs[c.ID], seqs[c.ID] = cu, c.Seq
		}
		after = p.Next
		if !p.More {
			return recs, seqs, after
		}
	}
}

// StartDemo on the same dir keeps what commands changed between starts.
func TestStartDemoKeepsCommands(t *testing.T) {
	dir := t.TempDir()
	run, err := StartDemo(context.Background(), dir, 50)
	if err != nil {
		t.Fatal(err)
	}
	key := run.Keys["prov-1"]
	before, _, _ := latestCustomers(t, run.URL, key)
	numbered := ""
	for id, c := range before {
		if id != "cust-1" && c.CustomerNumber != "" && (numbered == "" || id < numbered) {
			numbered = id
		}
	}
	if before["cust-1"].CustomerNumber != "A-1001" || numbered == "" {
		t.Fatalf("demo feed: cust-1 %q, another numbered customer %q", before["cust-1"].CustomerNumber, numbered)
	}
	set, _ := json.Marshal(setNumber("demo-1", "cust-1", "Z-9"))
	code, a := send(t, run.URL, key, "demo-1", set)
	applied(t, code, a)
	rm, _ := json.Marshal(removeNumber("demo-2", numbered))
	code2, a2 := send(t, run.URL, key, "demo-2", rm)
	applied(t, code2, a2)
	if err := run.Close(); err != nil {
		t.Fatal(err)
	}

	run, err = StartDemo(context.Background(), dir, 50)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	key = run.Keys["prov-1"]
	after, seqs, _ := latestCustomers(t, run.URL, key)
	if after["cust-1"].CustomerNumber != "Z-9" || seqs["cust-1"] != a.Seq {
		t.Errorf("after the restart cust-1 has %q at %d, want Z-9 at %d", after["cust-1"].CustomerNumber, seqs["cust-1"], a.Seq)
	}
	if after[numbered].CustomerNumber != "" || seqs[numbered] != a2.Seq {
		t.Errorf("after the restart %s has %q at %d, want none at %d", numbered, after[numbered].CustomerNumber, seqs[numbered], a2.Seq)
	}
	if c, r := send(t, run.URL, key, "demo-1", set); c != code || r != a {
		t.Errorf("replay after restart: %d %+v, want %d %+v", c, r, code, a)
	}
	if len(after) != len(before) {
		t.Errorf("%d customers after the restart, %d before", len(after), len(before))
	}
}

func TestCommandWithoutID(t *testing.T) {
	st, err := Open(filepath.Join(t.TempDir(), "org.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.Command("prov-1", setNumber("", "cust-1", "Z-1"), demoNow)
	if err != nil || a.Code != wire.CodeValidation || a.Reason != wire.ReasonMalformed || a.HTTPStatus() != 422 {
		t.Errorf("%+v %v", a, err)
	}
}

// BenchmarkStartDemo2000 times StartDemo with 2000 customers on a new dir
// (first: Demo and a full Apply) and on a dir kept from an earlier start
// (again: Apply of an empty Dataset).
func BenchmarkStartDemo2000(b *testing.B) {
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			run, err := StartDemo(context.Background(), b.TempDir(), 2000)
			if err != nil {
				b.Fatal(err)
			}
			run.Close()
		}
	})
	b.Run("again", func(b *testing.B) {
		dir := b.TempDir()
		run, err := StartDemo(context.Background(), dir, 2000)
		if err != nil {
			b.Fatal(err)
		}
		run.Close()
		for b.Loop() {
			run, err := StartDemo(context.Background(), dir, 2000)
			if err != nil {
				b.Fatal(err)
			}
			run.Close()
		}
	})
}
