package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"psopdesk/data"
	"psopdesk/data/hetu"
	"psopdesk/sync/wire"
)

// testHetu is a valid henkilötunnus in canonical form, one for each n
// below 898 (born 1 January 1980).
func testHetu(n int) string {
	h, err := hetu.New(data.NewDate(1980, 1, 1), '-', 2+n%898)
	if err != nil {
		panic(err)
	}
	return h.String()
}

// goodPage is a page of a customer, a voucher, an event and a delete.
func goodPage() wire.ChangesPage {
	return wire.ChangesPage{Feed: "f/prov-1", Next: 4, More: true, Head: 9, Changes: []wire.Change{
		put(1, wire.KindCustomer, "c1", data.Customer{ID: "c1", LastName: "Ääpälä", FirstNames: "Åke", Hetu: testHetu(1)}),
		put(2, wire.KindVoucher, "v1", data.Voucher{Number: "v1", CustomerID: "c1"}),
		put(3, wire.KindEvent, "e1", data.ServiceEvent{ID: "e1", CustomerID: "c1", Date: data.NewDate(2026, 11, 3), Quantity: 150, Note: "a \"quoted\"\nline"}),
		{Seq: 4, Kind: wire.KindGrant, Op: wire.OpDelete, ID: "g1"},
	}}
}

func TestDecodePageReadsWhatEncodingJSONReads(t *testing.T) {
	for _, indent := range []bool{false, true} {
		want := goodPage()
		body, _ := json.Marshal(want)
		if indent {
			body, _ = json.MarshalIndent(want, "", "  ")
		}
		got, err := decodePage(body, 500)
		if err != nil {
			t.Fatal(err)
		}
		var std wire.ChangesPage
		if err := json.Unmarshal(body, &std); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, std) {
			t.Errorf("indent %v: decodePage\n%+v\nencoding/json\n%+v", indent, got, std)
		}
	}
}

func TestDecodePageRefusesWhole(t *testing.T) {
	good, _ := json.Marshal(goodPage())
	// change replaces the first change of the good page with c.
	change := func(c string) string {
		var p map[string]any
		_ = json.Unmarshal(good, &p)
		var ch any
		if err := json.Unmarshal([]byte(c), &ch); err != nil {
			panic(c)
		}
		p["changes"].([]any)[0] = ch
		b, _ := json.Marshal(p)
		return string(b)
	}
	big := strings.Repeat("x", wire.MaxChangeBytes)
	for _, tc := range []struct{ name, body string }{
		{"not JSON", `<html>502 Bad Gateway</html>`},
		{"empty", ``},
		{"truncated", string(good[:len(good)/2])},
		{"trailing data", string(good) + `{}`},
		{"changes not an array", `{"changes":{"seq":1},"next":1}`},
		{"next a string", `{"changes":[],"next":"1"}`},
		{"next negative", `{"changes":[],"next":-1}`},
		{"next a fraction", `{"changes":[],"next":1.5}`},
		{"more a string", `{"changes":[],"more":"yes"}`},
		{"seq a string", change(`{"seq":"1","kind":"grant","op":"delete","id":"g"}`)},
		{"no seq", change(`{"kind":"grant","op":"delete","id":"g"}`)},
		{"seq 0", change(`{"seq":0,"kind":"grant","op":"delete","id":"g"}`)},
		{"no kind", change(`{"seq":1,"op":"delete","id":"g"}`)},
		{"unknown kind", change(`{"seq":1,"kind":"cat","op":"delete","id":"g"}`)},
		{"no op", change(`{"seq":1,"kind":"grant","id":"g"}`)},
		{"unknown op", change(`{"seq":1,"kind":"grant","op":"merge","id":"g"}`)},
		{"no id", change(`{"seq":1,"kind":"grant","op":"delete"}`)},
		{"empty id", change(`{"seq":1,"kind":"grant","op":"delete","id":""}`)},
		{"NUL in id", change(`{"seq":1,"kind":"grant","op":"delete","id":"g\u0000"}`)},
		{"put without data", change(`{"seq":1,"kind":"service","op":"put","id":"s"}`)},
		{"put with null data", change(`{"seq":1,"kind":"service","op":"put","id":"s","data":null}`)},
		{"data not an object", change(`{"seq":1,"kind":"service","op":"put","id":"s","data":"s"}`)},
		{"customer without last name", change(`{"seq":1,"kind":"customer","op":"put","id":"c","data":{"id":"c","hetu":"` + testHetu(1) + `"}}`)},
		{"customer with a blank last name", change(`{"seq":1,"kind":"customer","op":"put","id":"c","data":{"id":"c","last_name":" ","hetu":"` + testHetu(1) + `"}}`)},
		{"customer without hetu", change(`{"seq":1,"kind":"customer","op":"put","id":"c","data":{"id":"c","last_name":"A"}}`)},
		{"customer with an invalid hetu", change(`{"seq":1,"kind":"customer","op":"put","id":"c","data":{"id":"c","last_name":"A","hetu":"010101-0000"}}`)},
		{"event without customer", change(`{"seq":1,"kind":"event","op":"put","id":"e","data":{"id":"e","date":"2026-11-01"}}`)},
		{"voucher with a numeric customer", change(`{"seq":1,"kind":"voucher","op":"put","id":"v","data":{"number":"v","customer_id":5}}`)},
		{"record over the cap", change(`{"seq":1,"kind":"service","op":"put","id":"s","data":{"id":"s","name":"` + big + `"}}`)},
		{"nested too deep", change(`{"seq":1,"kind":"service","op":"put","id":"s","data":{"x":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := decodePage([]byte(tc.body), 500)
			if err == nil {
				t.Fatalf("accepted: %+v", p)
			}
			if strings.Contains(err.Error(), testHetu(1)) {
				t.Errorf("the error shows a henkilötunnus: %v", err)
			}
		})
	}
}

func TestDecodePageRefusesMoreChangesThanAsked(t *testing.T) {
	body, _ := json.Marshal(goodPage())
	if _, err := decodePage(body, 4); err != nil {
		t.Fatalf("4 changes asked 4: %v", err)
	}
	if _, err := decodePage(body, 3); err == nil {
		t.Fatal("4 changes asked 3: accepted")
	}
}

// A page with more changes than asked fails the pull as a bad reply and
// applies nothing of it.
func TestPullRefusesAPageBiggerThanAsked(t *testing.T) {
	var changes []wire.Change
	for i := range FirstSyncPageSize + 1 {
		changes = append(changes, wire.Change{Seq: uint64(i + 1), Kind: wire.KindGrant, Op: wire.OpDelete, ID: fmt.Sprint("g", i)})
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, wire.ChangesPage{Changes: changes, Next: uint64(len(changes))})
	}))
	defer srv.Close()
	_, c, _ := newTest(t, &feed{})
	_, err := testClient(srv.URL, testKey).Pull(t.Context(), c, nil)
	var e *Error
	if !errors.As(err, &e) || e.Kind != BadReply {
		t.Fatalf("err %v, want a bad reply", err)
	}
	if n := cursor(t, c); n != 0 {
		t.Errorf("cursor %d after a refused page, want 0", n)
	}
}

// FuzzDecodePage: decodePage never panics, and a page it accepts holds
// at most limit changes, each with its fields, puts with JSON object
// data; encoded again (encoding/json) it decodes to the same page.
func FuzzDecodePage(f *testing.F) {
	good, _ := json.Marshal(goodPage())
	f.Add(good, 500)
	f.Add(good, 2)
	f.Add([]byte(`{"changes":[],"next":0,"more":false,"head":0}`), 500)
	f.Fuzz(func(t *testing.T, body []byte, limit int) {
		if limit < 1 || limit > wire.MaxPageSize {
			limit = wire.DefaultPageSize
		}
		p, err := decodePage(body, limit)
		if err != nil {
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON")
		}
		checkAccepted(t, p, limit)
		again, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("accepted page does not encode: %v", err)
		}
		q, err := decodePage(again, limit)
		if err != nil {
			t.Fatalf("accepted page encoded again is refused: %v\n%s", err, again)
		}
		samePage(t, p, q)
	})
}

func checkAccepted(t *testing.T, p wire.ChangesPage, limit int) {
	t.Helper()
	if len(p.Changes) > limit {
		t.Fatalf("%d changes, asked %d", len(p.Changes), limit)
	}
	for i, ch := range p.Changes {
		if _, known := kinds[string(ch.Kind)]; !known || ch.Seq == 0 || ch.ID == "" ||
			(ch.Op != wire.OpPut && ch.Op != wire.OpDelete) {
			t.Fatalf("change %d accepted without its fields: %+v", i, ch)
		}
		if ch.Op == wire.OpPut && (!json.Valid(ch.Data) || bytes.TrimSpace(ch.Data)[0] != '{') {
			t.Fatalf("change %d: put data not an object: %q", i, ch.Data)
		}
		if len(ch.Data) > wire.MaxChangeBytes {
			t.Fatalf("change %d over the cap", i)
		}
	}
}

func samePage(t *testing.T, p, q wire.ChangesPage) {
	t.Helper()
	if p.Next != q.Next || p.More != q.More || p.Head != q.Head || len(p.Changes) != len(q.Changes) ||
		(utf8.ValidString(p.Feed) && p.Feed != q.Feed) {
		t.Fatalf("round trip changed the page:\n%+v\n%+v", p, q)
	}
	for i := range p.Changes {
		a, b := p.Changes[i], q.Changes[i]
		if a.Seq != b.Seq || a.Kind != b.Kind || a.Op != b.Op || (utf8.ValidString(a.ID) && a.ID != b.ID) {
			t.Fatalf("round trip changed change %d: %+v, %+v", i, a, b)
		}
		if a.Op == wire.OpPut && !sameJSON(a.Data, b.Data) {
			t.Fatalf("round trip changed change %d's data: %s, %s", i, a.Data, b.Data)
		}
	}
}

// sameJSON reports whether a and b are the same JSON value (strings
// compared after decoding).
func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// The seed corpus of FuzzDecodePage holds what its names say: demo-* and
// ok-* pages are accepted, bad-* refused.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodePage")
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, fi := range files {
		b, err := os.ReadFile(filepath.Join(dir, fi.Name()))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		body, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		if err != nil {
			t.Fatalf("%s: %v", fi.Name(), err)
		}
		limit, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(lines[2], "int("), ")"))
		if err != nil {
			t.Fatalf("%s: %v", fi.Name(), err)
		}
		_, err = decodePage([]byte(body), limit)
		if bad := strings.HasPrefix(fi.Name(), "bad-"); bad != (err != nil) {
			t.Errorf("%s: err %v", fi.Name(), err)
		}
	}
}
