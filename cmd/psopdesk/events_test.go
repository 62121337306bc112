package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/wire"
	"psopdesk/ui"
)

// eventsNow is the clock of the events tests: November's events are open,
// October's locked on 7.11.2026.
const eventsNow = "2026-11-20T10:00:00+02:00"

// eventsCache fills a cache folder as a sync would: the organizer with
// settlement day 7, Kotihoito by the hour at 42,50 €/h, customer c1 with a
// purchasing power of 10 h a month (36 €/h voucher value), reservation r1,
// and two events: e1 on 2.11.2026 (2 h, recorded, with a note) and e2 on
// 15.10.2026 (2,5 h, approved, locked since 7.11.2026).
func eventsCache(t *testing.T) string {
	t.Helper()
	t.Setenv("LANGUAGE", "fi") // the sentences below are Finnish
	dir := t.TempDir()
	c, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var seq uint64
	put := func(kind wire.Kind, id string, v any) wire.Change {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		seq++
		return wire.Change{Seq: seq, Kind: kind, Op: wire.OpPut, ID: id, Data: b}
	}
	changes := []wire.Change{
		put(wire.KindOrganizer, "org", data.Organizer{ID: "org", Name: "Hyvinvointialue", SettlementDay: 7, Timezone: "Europe/Helsinki"}),
		put(wire.KindService, "svc-home", data.Service{ID: "svc-home", Name: "Kotihoito", Content: "Kotihoidon käynti", Unit: data.UnitHour}),
		put(wire.KindPrice, "svc-home", data.ServicePrice{ID: "svc-home", ServiceID: "svc-home", Cents: 4250}),
		put(wire.KindCustomer, "c1", data.Customer{ID: "c1", FirstNames: "Sinikka", LastName: "Ääpälä", Hetu: "010594Y9021", CustomerNumber: "A-1001"}),
		put(wire.KindGrant, "pp-1", data.Grant{ID: "pp-1", CustomerID: "c1", Kind: data.KindPurchasingPower, ServiceID: "svc-home",
			VoucherNumber: "PS-1", GrantedQuantity: data.MustQuantity("10"), Period: data.PeriodMonth, VoucherUnitValue: 3600,
			ValidFrom: data.NewDate(2026, 1, 1), ValidTo: data.NewDate(2026, 12, 31)}),
		put(wire.KindReservation, "r1", data.Reservation{ID: "r1", CustomerID: "c1", GrantID: "pp-1",
			From: data.NewDate(2026, 1, 1), To: data.NewDate(2026, 12, 31), Quantity: data.MustQuantity("10")}),
		put(wire.KindEvent, "e1", data.ServiceEvent{ID: "e1", CustomerID: "c1", GrantID: "pp-1", ServiceID: "svc-home",
			Date: data.NewDate(2026, 11, 2), Start: "09:00", End: "11:00", Content: "Kotihoidon käynti", Quantity: data.MustQuantity("2"),
			UnitPrice: 4250, VoucherUnitValue: 3600, Status: data.StatusRecorded, Version: 1, ReservationID: "r1", Note: "ovikoodi 1234"}),
		put(wire.KindEvent, "e2", data.ServiceEvent{ID: "e2", CustomerID: "c1", GrantID: "pp-1", ServiceID: "svc-home",
			Date: data.NewDate(2026, 10, 15), Start: "08:00", End: "10:30", Content: "Kotihoidon käynti", Quantity: data.MustQuantity("2.5"),
			UnitPrice: 4250, VoucherUnitValue: 3600, Status: data.StatusApproved, Version: 3, ReservationID: "r1"}),
	}
	if err := c.ApplyPage(changes, seq); err != nil {
		t.Fatal(err)
	}
	if err := c.MarkCaughtUp(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// eventsRun runs psopdesk with -cache dir (and -now, for events) after the
// command's words.
func eventsRun(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	n := 1
	if args[0] == "events" {
		n = 2
		args = append(args, "-now", eventsNow)
	}
	return runCmd(t, append(append(args[:n:n], "-cache", dir), args[n:]...)...)
}

// cachedEvent reads an event as the window would, pending changes applied.
func cachedEvent(t *testing.T, dir, id string) data.ServiceEvent {
	t.Helper()
	c, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ev, _, _, err := c.Event(id)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestEventsListRecordEditDelete(t *testing.T) {
	dir := eventsCache(t)
	code, out, errOut := eventsRun(t, dir, "events", "list", "-customer", "c1")
	want := "e1\t2.11.2026\t9.00\t11.00\tKotihoidon käynti\t2\t85,00\t72,00\t13,00\trecorded\t7.12.2026 0.00\t\n" +
		"e2\t15.10.2026\t8.00\t10.30\tKotihoidon käynti\t2,5\t106,25\t90,00\t16,25\tapproved\t7.11.2026 0.00\t\n"
	if code != 0 || out != want {
		t.Fatalf("list: exit %d, %q %q\nwant %q", code, out, errOut, want)
	}

	// The reservations an event can be recorded against.
	if code, out, errOut := eventsRun(t, dir, "events", "reservations", "-customer", "c1"); code != 0 ||
		out != "r1\tPS-1\tKotihoito\t1.1.2026\t31.12.2026\t10\n" {
		t.Fatalf("reservations: exit %d, %q %q", code, out, errOut)
	}

	// 2 h recorded + 8,25 h is over the 10 h of November: to review.
	code, out, errOut = eventsRun(t, dir, "events", "record", "-customer", "c1", "-reservation", "r1",
		"-date", "28.11.2026", "-start", "8.00", "-end", "16:15", "-quantity", "8,25", "-note", "iltavuoro")
	ls := lines(out)
	if code != 0 || len(ls) != 4 ||
		ls[0] != "Tarkastettavana: 10,25 h / 10 h myönnetty marraskuulle" ||
		ls[1] != "hinta 350,63 € (8,25 h × 42,50 €), setelin osuus 297,00 €, omavastuu 53,63 €" ||
		!strings.HasPrefix(ls[2], "tapahtuma ") || !strings.Contains(ls[3], "odottaa lähetystä") {
		t.Fatalf("record: exit %d, %q %q", code, out, errOut)
	}
	newID := strings.TrimPrefix(ls[2], "tapahtuma ")
	code, out, _ = eventsRun(t, dir, "events", "list", "-customer", "c1")
	ls = lines(out)
	if wantNew := newID + "\t28.11.2026\t8.00\t16.15\tKotihoidon käynti\t8,25\t350,63\t297,00\t53,63\tin_review\t7.12.2026 0.00\tpending"; code != 0 || len(ls) != 3 || ls[0] != wantNew {
		t.Fatalf("list after record: exit %d, %q\nwant first %q", code, out, wantNew)
	}
	if ev := cachedEvent(t, dir, newID); ev.Note != "iltavuoro" {
		t.Errorf("recorded note %q", ev.Note)
	}

	// An edit keeps what it does not name: date, start and note stay.
	code, out, errOut = eventsRun(t, dir, "events", "edit", "-event", "e1", "-end", "10:30", "-quantity", "1.5")
	if code != 0 || !strings.Contains(out, "odottaa lähetystä") {
		t.Fatalf("edit: exit %d, %q %q", code, out, errOut)
	}
	_, out, _ = eventsRun(t, dir, "events", "list", "-customer", "c1")
	if want := "e1\t2.11.2026\t9.00\t10.30\tKotihoidon käynti\t1,5\t63,75\t54,00\t9,75\trecorded\t7.12.2026 0.00\tpending"; len(lines(out)) != 3 || lines(out)[1] != want {
		t.Errorf("list after edit: %q\nwant second %q", out, want)
	}
	if ev := cachedEvent(t, dir, "e1"); ev.Note != "ovikoodi 1234" || ev.Version != 2 {
		t.Errorf("e1 after the edit: note %q version %d; want the note kept, version 2", ev.Note, ev.Version)
	}

	// Poista.
	if code, out, errOut := eventsRun(t, dir, "events", "delete", "-event", "e1"); code != 0 || !strings.Contains(out, "odottaa lähetystä") {
		t.Fatalf("delete: exit %d, %q %q", code, out, errOut)
	}
	if ev := cachedEvent(t, dir, "e1"); ev.Status != data.StatusDeleted {
		t.Errorf("e1 after delete: %s", ev.Status)
	}

	// e2 is locked since 7.11.2026: no edit, no delete.
	lockSentence := ui.Sentence(&data.Error{Code: data.CodeEventLocked}) + "\n"
	code, out, errOut = eventsRun(t, dir, "events", "edit", "-event", "e2", "-quantity", "2")
	if code != 1 || out != "" || errOut != lockSentence {
		t.Errorf("locked edit: exit %d, %q %q; want exit 1 and %q", code, out, errOut, lockSentence)
	}
	if code, _, errOut := eventsRun(t, dir, "events", "delete", "-event", "e2"); code != 1 || errOut != lockSentence {
		t.Errorf("locked delete: exit %d, %q", code, errOut)
	}

	// Credit requests: refused before the lock, queued after it.
	notLocked := ui.Sentence(&data.Error{Code: data.CodeCreditNotLocked}) + "\n"
	code, out, errOut = eventsRun(t, dir, "events", "credit-request", "-event", newID, "-reason", "wrong_quantity", "-explanation", "8 h, ei 8,25 h")
	if code != 1 || out != "" || errOut != notLocked {
		t.Errorf("credit request before the lock: exit %d, %q %q", code, out, errOut)
	}
	code, out, errOut = eventsRun(t, dir, "events", "credit-request", "-event", "e2", "-reason", "duplicate", "-explanation", "kirjattu kahdesti")
	if code != 0 || !strings.Contains(out, "odottaa lähetystä") {
		t.Errorf("credit request after the lock: exit %d, %q %q", code, out, errOut)
	}
	if ev := cachedEvent(t, dir, "e2"); ev.CreditRequest == nil || ev.CreditRequest.Reason != "duplicate" {
		t.Errorf("e2's credit request: %+v", ev.CreditRequest)
	}

	_, out, _ = eventsRun(t, dir, "outbox")
	var types []string
	for _, l := range lines(out) {
		types = append(types, strings.Split(l, "\t")[1])
	}
	if got := strings.Join(types, " "); got != "record_event edit_event delete_event credit_request" {
		t.Errorf("outbox: %s", got)
	}
	// An event the cache does not have.
	if code, _, errOut := eventsRun(t, dir, "events", "delete", "-event", "nope"); code != 1 || !strings.Contains(errOut, "nope") {
		t.Errorf("unknown event: exit %d, %q", code, errOut)
	}
	if code, _, errOut := eventsRun(t, dir, "events", "record", "-customer", "c1", "-reservation", "r9", "-date", "3.11.2026",
		"-start", "08:00", "-end", "09:00", "-quantity", "1"); code != 1 || !strings.Contains(errOut, "r1") {
		t.Errorf("unknown reservation: exit %d, %q (should name r1)", code, errOut)
	}
}

func TestEventsImport(t *testing.T) {
	dir := eventsCache(t)
	file := filepath.Join(t.TempDir(), "vuorot.csv")
	csv := "\ufeffasiakas;varaus;päivä;alku;loppu;määrä;lisätieto\r\n" +
		"c1;r1;3.11.2026;08:00;10:00;2;aamu\r\n" +
		"c1;r1;31.11.2026;08:00;10:00;2;\r\n" +
		"c1;r1;4.11.2026;8.00;15.45;7,75;\"pitkä; päivä\"\r\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := eventsRun(t, dir, "events", "import", "-file", file, "-dry-run")
	// 2 h stored + 2 h + 7,75 h: the third row goes over November's 10 h,
	// counting the rows before it even in a dry run. (The sentence is read
	// after a command has loaded the language.)
	noSuchDay := "rivi 3: ei kelpaa: " + ui.Sentence(data.ErrNoSuchDay)
	rowsOut := "rivi 2: kirjataan\n" + noSuchDay + "\nrivi 4: tarkastettavaksi (11,75 h / 10 h myönnetty marraskuulle)\n"
	if want := rowsOut + "kokeiluajo: 2 riviä menisi lähetysjonoon, 1 ei kelpaa; mitään ei muutettu\n"; code != 1 || out != want {
		t.Fatalf("dry run: exit %d, %q %q\nwant %q", code, out, errOut, want)
	}
	if _, out, _ := eventsRun(t, dir, "outbox"); out != "" {
		t.Fatalf("outbox after a dry run: %q, want empty", out)
	}

	code, out, errOut = eventsRun(t, dir, "events", "import", "-file", file)
	if want := rowsOut + "2 riviä lähetysjonossa, 1 ei kelpaa\n"; code != 1 || out != want {
		t.Fatalf("import: exit %d, %q %q\nwant %q", code, out, errOut, want)
	}
	_, out, _ = eventsRun(t, dir, "outbox")
	if ls := lines(out); len(ls) != 2 || !strings.Contains(ls[0], "\trecord_event\t") || !strings.Contains(ls[1], "\trecord_event\t") {
		t.Fatalf("outbox after the import: %q", out)
	}
	_, out, _ = eventsRun(t, dir, "events", "list", "-customer", "c1")
	ls := lines(out)
	if len(ls) != 4 || !strings.Contains(ls[0], "\t4.11.2026\t8.00\t15.45\tKotihoidon käynti\t7,75\t329,38\t279,00\t50,38\tin_review\t") ||
		!strings.HasSuffix(ls[0], "\tpending") || !strings.Contains(ls[1], "\t3.11.2026\t8.00\t10.00\t") {
		t.Errorf("list after the import:\n%s", out)
	}

	// A comma file: a decimal comma is quoted or a point; unquoted, the
	// row is refused with the hint. No BOM, English header, other order.
	comma := filepath.Join(t.TempDir(), "shifts.csv")
	if err := os.WriteFile(comma, []byte("date,customer,reservation,start,end,quantity\n"+
		"5.11.2026,c1,r1,08:00,08:30,\"0,5\"\n"+
		"6.11.2026,c1,r1,08:00,08:30,0,5\n"+
		"7.11.2026,c1,r1,08:00,08:30,0.5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = eventsRun(t, dir, "events", "import", "-file", comma, "-dry-run")
	ls = lines(out)
	if code != 1 || len(ls) != 4 || !strings.HasPrefix(ls[0], "rivi 2: tarkastettavaksi") ||
		!strings.HasPrefix(ls[1], "rivi 3: ei kelpaa: ") || !strings.Contains(ls[1], "(2.75)") || !strings.HasPrefix(ls[2], "rivi 4: ") {
		t.Errorf("comma file: exit %d, %q", code, out)
	}
	// No header row.
	bare := filepath.Join(t.TempDir(), "bare.csv")
	if err := os.WriteFile(bare, []byte("c1;r1;3.11.2026;08:00;10:00;2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := eventsRun(t, dir, "events", "import", "-file", bare, "-dry-run"); code != 1 || !strings.Contains(errOut, "asiakas") {
		t.Errorf("no header: exit %d, %q", code, errOut)
	}
}

func TestEventsWrongFlags(t *testing.T) {
	dir := eventsCache(t)
	for _, args := range [][]string{
		{"events"},
		{"events", "bogus"},
		{"events", "list"},
		{"events", "list", "-customer", "c1", "-nope"},
		{"events", "list", "-customer", "c1", "extra"},
		{"events", "list", "-customer", "c1", "-server", "http://127.0.0.1:1"},
		{"events", "record", "-customer", "c1", "-reservation", "r1", "-date", "3.11.2026"},
		{"events", "record", "-customer", "c1", "-reservation", "r1", "-date", "31.2.2026", "-quantity", "1"},
		{"events", "record", "-customer", "c1", "-reservation", "r1", "-date", "3.11.2026", "-quantity", "1,234"},
		{"events", "edit", "-event", "e1"},
		{"events", "edit", "-event", "e1", "-date", "3/11/2026"},
		{"events", "delete"},
		{"events", "credit-request", "-event", "e2", "-reason", "nope", "-explanation", "x"},
		{"events", "credit-request", "-event", "e2", "-reason", "duplicate"},
		{"events", "import"},
		{"events", "import", "-file", "x.csv", "-dry-run", "-server", "http://127.0.0.1:1", "-api-key-file", "k"},
		{"events", "list", "-customer", "c1", "-now", "yesterday"},
	} {
		var code int
		var errOut string
		if len(args) > 2 {
			code, _, errOut = eventsRun(t, dir, args...)
		} else {
			code, _, errOut = runCmd(t, args...)
		}
		if code != 2 {
			t.Errorf("%q: exit %d, %q; want 2", args, code, errOut)
		}
	}
	if _, out, _ := eventsRun(t, dir, "outbox"); out != "" {
		t.Errorf("wrong flags queued something: %q", out)
	}
}
