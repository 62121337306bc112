// Package feedgen makes a synthetic change feed of a large provider for
// benchmarks: customers with a valid henkilötunnus, each with a voucher,
// a grant, a reservation and a number of events, as the wire's pages.
// It is deterministic (the same arguments give the same feed).
package feedgen

import (
	"encoding/json"
	"fmt"
	"time"

	"psopdesk/data"
	"psopdesk/data/hetu"
	"psopdesk/sync/wire"
)

var (
	lastNames  = []string{"Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen", "Ääpälä", "Öhman", "Åberg"}
	firstNames = []string{"Maria", "Juhani", "Johanna", "Mikael", "Anneli", "Olavi", "Aino", "Väinö", "Åsa"}
	services   = []string{"svc-home", "svc-clean"}
)

// CustomerID is the id of customer i.
func CustomerID(i int) string { return fmt.Sprintf("cust-%06d", i) }

// EventID is the id of customer i's event j.
func EventID(i, j int) string { return fmt.Sprintf("ev-%06d-%03d", i, j) }

// Event is customer i's event j, at version (a later version has another
// quantity).
func Event(i, j int, version int64) data.ServiceEvent {
	return data.ServiceEvent{
		ID: EventID(i, j), CustomerID: CustomerID(i), GrantID: fmt.Sprintf("g-%06d", i),
		ServiceID: services[i%len(services)], Date: data.NewDate(2025, time.Month(1+j%12), 1+j%28),
		Start: "09:00", End: "10:30", Content: "Kotihoidon käynti", Quantity: data.Quantity(150 + version),
		UnitPrice: 3500, VoucherUnitValue: 2800, Status: data.StatusRecorded, RecordedBy: "u-1",
		RecordedAt: time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC), Version: version,
	}
}

// Pages is the feed of customers customers with events events each, in
// pages of size changes, seqs from 1.
func Pages(customers, events, size int) []wire.ChangesPage {
	var pages []wire.ChangesPage
	var page []wire.Change
	seq := uint64(0)
	add := func(kind wire.Kind, id string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		seq++
		page = append(page, wire.Change{Seq: seq, Kind: kind, Op: wire.OpPut, ID: id, Data: b})
		if len(page) == size {
			pages = append(pages, wire.ChangesPage{Changes: page, Next: seq, More: true})
			page = nil
		}
	}
	add(wire.KindService, "svc-home", data.Service{ID: "svc-home", Name: "Kotihoito", Content: "Kotihoidon käynti", Unit: data.UnitHour})
	add(wire.KindService, "svc-clean", data.Service{ID: "svc-clean", Name: "Siivous", Content: "Siivous", Unit: data.UnitHour})
	for i := range customers {
		birth := data.NewDate(1930+i%80, time.Month(1+i%12), 1+i%28)
		sign := byte('-')
		if birth.Year >= 2000 {
			sign = 'A'
		}
		h, err := hetu.New(birth, sign, 2+i%897)
		if err != nil {
			panic(err)
		}
		id := CustomerID(i)
		add(wire.KindCustomer, id, data.Customer{ID: id, LastName: lastNames[i%len(lastNames)],
			FirstNames: firstNames[(i/len(lastNames))%len(firstNames)], Hetu: h.String(), Address: "Kotikatu 1, 00100 Helsinki"})
		voucher := fmt.Sprintf("4%08d", i)
		svc := services[i%len(services)]
		add(wire.KindVoucher, voucher, data.Voucher{Number: voucher, CustomerID: id, ServiceID: svc,
			ValidFrom: data.NewDate(2025, 1, 1), ValidTo: data.NewDate(2026, 12, 31), ValueType: data.ValueFixed})
		grant := fmt.Sprintf("g-%06d", i)
		add(wire.KindGrant, grant, data.Grant{ID: grant, CustomerID: id, Kind: data.KindPurchasingPower, VoucherNumber: voucher,
			ServiceID: svc, GrantedQuantity: 1000, Period: data.PeriodMonth, VoucherUnitValue: 2800,
			ValidFrom: data.NewDate(2025, 1, 1), ValidTo: data.NewDate(2026, 12, 31)})
		resv := fmt.Sprintf("r-%06d", i)
		add(wire.KindReservation, resv, data.Reservation{ID: resv, CustomerID: id, GrantID: grant,
			From: data.NewDate(2025, 1, 1), To: data.NewDate(2026, 12, 31), Quantity: 1000})
		for j := range events {
			add(wire.KindEvent, EventID(i, j), Event(i, j, 1))
		}
	}
	if len(page) > 0 || len(pages) == 0 {
		pages = append(pages, wire.ChangesPage{Changes: page, Next: seq})
	}
	pages[len(pages)-1].More = false
	for i := range pages {
		pages[i].Head = seq
	}
	return pages
}

// EventEdits is n puts, seqs from after+1, that change events of the
// feed of Pages(customers, events, …) to version: spread over customers.
func EventEdits(customers, events, n int, after uint64, version int64) []wire.Change {
	out := make([]wire.Change, n)
	for k := range out {
		i := (k*7919 + int(version)*104729) % customers
		j := (k + int(version)) % events
		b, err := json.Marshal(Event(i, j, version))
		if err != nil {
			panic(err)
		}
		out[k] = wire.Change{Seq: after + uint64(k) + 1, Kind: wire.KindEvent, Op: wire.OpPut, ID: EventID(i, j), Data: b}
	}
	return out
}
