package organizer

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"time"

	"psopdesk/data"
)

// DemoSeed is the seed StartDemo uses: every demo start builds the same
// data for the same day.
const DemoSeed = 20260101

// Demo ids.
const (
	DemoProvider1 = "prov-1" // the user's provider of the demo (scenario-small's)
	DemoProvider2 = "prov-2" // the other provider, whose data prov-1 must never see
	// DemoRecorder is prov-1's kirjaaja, in the team DemoTeam (home care).
	DemoRecorder = "prov-1-kirjaaja"
	DemoTeam     = "team-prov-1-home"
)

// Names of the demo: real Finnish (and Finland-Swedish) first and last names.
var (
	femaleNames = []string{"Aino", "Anna", "Anneli", "Eeva", "Elina", "Helmi", "Hilkka", "Irma", "Kaarina",
		"Kirsti", "Leena", "Liisa", "Maija", "Marjatta", "Marja-Liisa", "Orvokki", "Pirjo", "Raili", "Ritva",
		"Sinikka", "Sirkka", "Tuula", "Tyyne", "Vappu", "Ulla", "Päivi", "Säde", "Sylvi", "Terttu", "Eila",
		"Helka", "Hellevi", "Impi", "Lyydia", "Ilona", "Elsa", "Venla"}
	maleNames = []string{"Antti", "Eero", "Erkki", "Esko", "Heikki", "Ilmari", "Jorma", "Juhani", "Kalevi",
		"Kari", "Lauri", "Matti", "Mikko", "Olavi", "Pentti", "Pekka", "Raimo", "Reijo", "Seppo", "Tapani",
		"Tapio", "Toivo", "Unto", "Väinö", "Veikko", "Yrjö", "Jyrki", "Onni", "Eino", "Aarne", "Lenni"}
	lastNames = []string{"Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
		"Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen",
		"Niemi", "Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo", "Laitinen", "Tuominen", "Rantanen",
		"Karjalainen", "Jokinen", "Mattila", "Savolainen", "Lahtinen", "Ahonen", "Ääpälä", "Törmä", "Pöllänen",
		"Kärkkäinen", "Hyvärinen", "Räsänen", "Väisänen", "Häkkinen", "Kähkönen", "Pääkkönen", "Lämsä",
		"Ylönen", "Sääski", "Öhman", "Kääriäinen", "Röyhkiö", "Mäenpää", "Ylä-Mononen", "Pitkäjärvi"}
	svFemaleNames = []string{"Märta", "Åsa", "Ingrid", "Gunnel", "Birgitta", "Solveig", "Margareta", "Britt"}
	svMaleNames   = []string{"Göran", "Björn", "Gunnar", "Sture", "Ragnar", "Håkan", "Bengt", "Stig"}
	svLastNames   = []string{"Söderström", "Åberg", "Lindqvist", "Holmström", "Sjöberg", "Björklund",
		"Ekström", "Nyström", "Lindén", "Strandberg", "Wikström", "Åström", "Löfgren", "Sandström"}
	streets = []string{"Mannerheimintie", "Hämeenkatu", "Itäinen Pitkäkatu", "Läntinen Rantakatu",
		"Pyynikintie", "Keskuskatu", "Koivukuja", "Männikkötie", "Kuusitie", "Rantatie", "Kirkkokatu",
		"Sääksmäentie", "Särkänniemenkatu", "Pähkinätie", "Myllypurontie", "Ähtärintie", "Ölandinkatu",
		"Kauppakatu", "Satamakatu", "Vesitorninkatu", "Tähtitorninkatu", "Lönnrotinkatu", "Väinämöisentie"}
	towns = [][2]string{{"00100", "Helsinki"}, {"00530", "Helsinki"}, {"02100", "Espoo"}, {"01300", "Vantaa"},
		{"33100", "Tampere"}, {"33500", "Tampere"}, {"20100", "Turku"}, {"90100", "Oulu"}, {"40100", "Jyväskylä"},
		{"65100", "Vaasa"}, {"70100", "Kuopio"}, {"15110", "Lahti"}, {"96100", "Rovaniemi"}, {"28100", "Pori"},
		{"68600", "Pietarsaari"}, {"10600", "Tammisaari"}, {"80100", "Joensuu"}, {"53100", "Lappeenranta"}}
	staff = map[string][]string{
		DemoProvider1: {"Anna Laine", "Pekka Salo", "Leena Ström", "Mirja Kärkkäinen"},
		DemoProvider2: {"Hanna Pöllänen", "Jussi Kärki", "Åsa Lindholm"},
	}
)

// Demo services beyond scenario-small's svc-home and svc-clean.
var demoServices = []data.Service{
	{ID: "svc-respite", Name: "Omaishoidon vapaa", Content: "Omaishoidon vapaan hoitopäivä", Unit: data.UnitDay},
	{ID: "svc-physio", Name: "Fysioterapia", Content: "Fysioterapiakäynti", Unit: data.UnitVisit, ReviewAll: true},
}

// demoPrices: provider → service → cents per unit.
var demoPrices = map[string]map[string]data.Cents{
	DemoProvider1: {"svc-respite": 12500, "svc-physio": 6500},
	DemoProvider2: {"svc-home": 4490, "svc-clean": 3390, "svc-respite": 11900, "svc-physio": 5950},
}

// Demo builds the demo data set, deterministically for the same seed and
// now: scenario-small exactly (organizer org-1, provider prov-1, customer
// cust-1 Sinikka Ääpälä with pp-1, bp-1, e1..e7, c1..c3) plus customers
// generated customers (ids cust-00002 …) with valid henkilötunnus
// (temporary individual numbers 900–999, so never a real person's code)
// in the old (-, +) and 2023 (Y X W V U, A–F) century signs, Finnish and
// Finland-Swedish names and addresses, provider customer numbers for most
// ("A-1002" … at prov-1, "K-501" … at prov-2), vouchers (9-digit numbers
// from 410000001 up), both grant kinds over services Kotihoito, Siivous,
// Omaishoidon vapaa and Fysioterapia (review every event), reservations,
// and events from 2023-01-01 up to the day before now in every status:
// events past their settlement lock are settled, paid, credited, deleted
// or (when they needed review) rejected; open ones recorded, in_review
// (data.NeedsReview), approved, rejected or deleted. A second provider
// prov-2 has its own customers and shares some with prov-1.
//
// Customers, grants, vouchers and reservations do not depend on now; a
// later now keeps every earlier event's id and content (statuses move on)
// and adds the new days' events (ids "ev-GRANT-N").
func Demo(customers int, seed int64, now time.Time) Dataset {
	d, err := LoadScenario(bytes.NewReader(ScenarioSmall))
	if err != nil {
		panic("organizer: embedded scenario-small.json: " + err.Error())
	}
	d.Providers = append(d.Providers, withDemoContact(data.Provider{ID: DemoProvider2, Name: "Kotiapu Revontuli Oy",
		BusinessID: makeYtunnus(2745180)}))
	d.Services = append(d.Services, demoServices...)
	d.Users = DefaultAdmins(d.Providers, d.Users)
	d.Teams = append(d.Teams, data.ServiceTeam{ID: DemoTeam, ProviderID: DemoProvider1, Name: "Kotihoito",
		ServiceIDs: []string{"svc-home"}})
	d.Users = append(d.Users, data.User{ID: DemoRecorder, ProviderID: DemoProvider1, Name: "Kirjaaja",
		Role: data.RoleRecorder, TeamIDs: []string{DemoTeam}})
	for _, p := range []string{DemoProvider1, DemoProvider2} {
		for _, s := range d.Services {
			if c, ok := demoPrices[p][s.ID]; ok {
				d.Prices = append(d.Prices, Price{ProviderID: p, ServiceID: s.ID, Cents: c})
			}
		}
	}
	g := &generator{d: &d, seed: uint64(seed), now: now,
		today: data.DateOf(now.In(data.Helsinki)), hetus: map[string]bool{}, numbers: map[string]int{
			DemoProvider1: 1002, DemoProvider2: 501}, voucher: 410000000,
		services: map[string]data.Service{}, prices: map[string]data.Cents{}}
	for _, s := range d.Services {
		g.services[s.ID] = s
	}
	for _, p := range d.Prices {
		g.prices[p.ProviderID+"\x00"+p.ServiceID] = p.Cents
	}
	for _, c := range d.Customers {
		g.hetus[c.Hetu] = true
	}
	for i := range customers {
		// One random stream per customer and per grant: a customer's
		// record and grants do not depend on now, and a grant's events
		// of one day are the same the next day (ids included), only
		// statuses move on and new events come.
		g.rng = rand.New(rand.NewPCG(g.seed, uint64(i)+1))
		g.customer(fmt.Sprintf("cust-%05d", i+2))
	}
	return d
}

type generator struct {
	d        *Dataset
	seed     uint64
	rng      *rand.Rand
	now      time.Time
	today    data.Date
	hetus    map[string]bool
	numbers  map[string]int
	voucher  int
	grants   int
	services map[string]data.Service
	prices   map[string]data.Cents
}

// use is a provider giving a customer a service.
type use struct{ provider, service string }

func (g *generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *generator) pct(p int) bool { return g.rng.IntN(100) < p }

// birth returns a birth date and a century sign fitting it: mostly the
// elderly, some younger, a few (+) from the 1890s; old and 2023 signs.
func (g *generator) birth() (data.Date, byte) {
	var year int
	switch r := g.rng.IntN(1000); {
	case r < 3:
		year = 1895 + g.rng.IntN(5)
	case r < 850:
		year = 1928 + g.rng.IntN(38)
	case r < 950:
		year = 1966 + g.rng.IntN(34)
	default:
		year = 2000 + g.rng.IntN(16)
	}
	m := time.Month(1 + g.rng.IntN(12))
	d := data.NewDate(year, m, 1+g.rng.IntN(daysIn(year, m)))
	switch {
	case year < 1900:
		return d, '+'
	case year < 2000:
		if g.pct(65) {
			return d, '-'
		}
		return d, "YXWVU"[g.rng.IntN(5)]
	default:
		if g.pct(60) {
			return d, 'A'
		}
		return d, "BCDEF"[g.rng.IntN(5)]
	}
}

func daysIn(y int, m time.Month) int { return data.NewDate(y, m+1, 0).Day }

func (g *generator) customer(id string) {
	female := g.pct(62)
	swedish := g.pct(9)
	first, last := femaleNames, lastNames
	switch {
	case swedish && female:
		first, last = svFemaleNames, svLastNames
	case swedish:
		first, last = svMaleNames, svLastNames
	case !female:
		first = maleNames
	}
	names := g.pick(first)
	if g.pct(45) {
		if second := g.pick(first); second != names {
			names += " " + second
		}
	}
	var h string
	for {
		bd, sign := g.birth()
		ind := 900 + g.rng.IntN(50)*2 // even: female
		if !female {
			ind++
		}
		if h = makeHetu(bd, sign, ind); !g.hetus[h] {
			break
		}
	}
	g.hetus[h] = true
	town := towns[g.rng.IntN(len(towns))]
	addr := fmt.Sprintf("%s %d", g.pick(streets), 1+g.rng.IntN(120))
	if g.pct(55) {
		addr += fmt.Sprintf(" %c %d", "ABCDEF"[g.rng.IntN(6)], 1+g.rng.IntN(40))
	}
	c := data.Customer{ID: id, FirstNames: names, LastName: g.pick(last), Hetu: h,
		Address: addr + ", " + town[0] + " " + town[1], Language: "fi"}
	switch {
	case swedish:
		c.Language = "sv"
	case g.pct(2):
		c.Language = "en"
	}
	g.d.Customers = append(g.d.Customers, c)

	// Who serves the customer, and which services.
	var uses []use
	switch r := g.rng.IntN(100); {
	case r < 76:
		uses = g.services1(DemoProvider1)
	case r < 90:
		uses = g.services1(DemoProvider2)
	default: // shared: home care from prov-1, another service from prov-2
		uses = []use{{DemoProvider1, "svc-home"}, {DemoProvider2, []string{"svc-clean", "svc-physio", "svc-respite"}[g.rng.IntN(3)]}}
	}
	for _, p := range []string{DemoProvider1, DemoProvider2} {
		for _, u := range uses {
			if u.provider == p {
				if g.pct(88) {
					prefix := map[string]string{DemoProvider1: "A-", DemoProvider2: "K-"}[p]
					g.d.Numbers = append(g.d.Numbers, CustomerNumber{ProviderID: p, CustomerID: id,
						Number: fmt.Sprintf("%s%d", prefix, g.numbers[p])})
					g.numbers[p]++
				}
				break
			}
		}
	}
	// The customer's time with the service system: from a month in
	// 2023-01 … 2026-10, 3–48 months.
	start := data.NewDate(2023, time.Month(1+g.rng.IntN(46)), 1)
	end := data.NewDate(start.Year, start.Month+time.Month(3+g.rng.IntN(46)), 0)
	for _, u := range uses {
		for from := start; !from.After(end); from = data.NewDate(from.Year+1, from.Month, 1) {
			to := earliest(data.NewDate(from.Year+1, from.Month, 0), end)
			g.grant(c.ID, u.provider, g.services[u.service], from, to)
		}
	}
}

// services1 picks the services one provider gives a customer.
func (g *generator) services1(p string) []use {
	var out []use
	add := func(s string) { out = append(out, use{p, s}) }
	home := g.pct(70)
	if home {
		add("svc-home")
	}
	if !home || g.pct(30) {
		add("svc-clean")
	}
	if g.pct(8) {
		add("svc-respite")
	}
	if g.pct(6) {
		add("svc-physio")
	}
	return out
}

// grant adds a voucher, grant and reservation of svc for from..to and the
// provider's events on it up to the earlier of to and yesterday.
func (g *generator) grant(customer, provider string, svc data.Service, from, to data.Date) {
	g.voucher += 1 + g.rng.IntN(40)
	g.grants++
	gr := data.Grant{ID: fmt.Sprintf("g-%06d", g.grants), CustomerID: customer, ServiceID: svc.ID,
		VoucherNumber: fmt.Sprintf("%09d", g.voucher), ValidFrom: from, ValidTo: to,
		Kind: data.KindPurchasingPower, Period: data.PeriodMonth}
	price := g.prices[provider+"\x00"+svc.ID]
	switch svc.ID {
	case "svc-home":
		gr.GrantedQuantity = data.Quantity(600 + 50*g.rng.IntN(40)) // 6–25.5 h / month
		gr.VoucherUnitValue = []data.Cents{3200, 3400, 3600, 3800}[g.rng.IntN(4)]
	case "svc-clean":
		if g.pct(65) {
			gr.Kind, gr.Period = data.KindBalancePurchasingPower, ""
			gr.Amount = data.Cents(15000 + 5000*g.rng.IntN(10))
		} else {
			gr.Period = data.PeriodWeek
			gr.GrantedQuantity = data.Quantity(200 + 50*g.rng.IntN(4))
			gr.VoucherUnitValue = 2800
		}
	case "svc-respite":
		gr.GrantedQuantity = data.Quantity(100 * (2 + g.rng.IntN(3)))
		gr.VoucherUnitValue = 9000
	default: // physio
		gr.Period = data.PeriodTotal
		gr.GrantedQuantity = data.Quantity(100 * (10 + g.rng.IntN(11)))
		gr.VoucherUnitValue = 4500
	}
	vt := data.ValueFixed
	if svc.ID == "svc-home" && g.pct(30) {
		vt = data.ValueIncomeBased
	}
	g.d.Vouchers = append(g.d.Vouchers, data.Voucher{Number: gr.VoucherNumber, CustomerID: customer,
		ServiceID: svc.ID, DecisionDate: from.AddDays(-7 - g.rng.IntN(21)), ValidFrom: from, ValidTo: to, ValueType: vt})
	g.d.Grants = append(g.d.Grants, gr)
	resQty := gr.GrantedQuantity
	if gr.Kind == data.KindBalancePurchasingPower {
		resQty = data.Quantity(int64(gr.Amount) * data.QuantityScale / int64(price))
	}
	g.d.Reservations = append(g.d.Reservations, Reservation{ProviderID: provider, Reservation: data.Reservation{
		ID: fmt.Sprintf("r-%06d", g.grants), CustomerID: customer, GrantID: gr.ID, From: from, To: to, Quantity: resQty}})

	custRng := g.rng
	defer func() { g.rng = custRng }()
	g.rng = rand.New(rand.NewPCG(g.seed, 1<<40|uint64(g.grants)))
	last := earliest(to, g.today.AddDays(-1))
	var evs []data.ServiceEvent
	for week := from; !week.After(last); week = week.AddDays(7) {
		var p, qMin, qSteps, qStep int
		switch svc.ID {
		case "svc-home":
			p, qMin, qSteps, qStep = 40, 100, 9, 25 // 1–3 h
		case "svc-clean":
			p, qMin, qSteps, qStep = 22, 150, 5, 50 // 1.5–3.5 h
		case "svc-respite":
			p, qMin, qSteps, qStep = 12, 100, 1, 0 // 1 day
		default:
			p, qMin, qSteps, qStep = 30, 100, 1, 0 // 1 visit
		}
		if !g.pct(p) {
			continue
		}
		day := week.AddDays(g.rng.IntN(7))
		if day.After(last) {
			continue
		}
		q := data.Quantity(qMin + qStep*g.rng.IntN(qSteps))
		ev := data.ServiceEvent{CustomerID: customer, GrantID: gr.ID, ServiceID: svc.ID, Date: day,
			Content: svc.Content, Quantity: q, UnitPrice: price, RecordedBy: g.pick(staff[provider])}
		if gr.Kind == data.KindPurchasingPower {
			ev.VoucherUnitValue = gr.VoucherUnitValue
		}
		endMin := 17 * 60
		if svc.Unit != data.UnitDay {
			startMin := 8*60 + 15*g.rng.IntN(29)
			dur := int(q) * 60 / data.QuantityScale
			if svc.Unit == data.UnitVisit {
				dur = 45
			}
			endMin = startMin + dur
			ev.Start = fmt.Sprintf("%02d:%02d", startMin/60, startMin%60)
			ev.End = fmt.Sprintf("%02d:%02d", endMin/60, endMin%60)
		}
		ev.RecordedAt = time.Date(day.Year, day.Month, day.Day, 0, endMin+g.rng.IntN(240), 0, 0, data.Helsinki).UTC()
		if ev.RecordedAt.After(g.now) {
			ev.RecordedAt = g.now.UTC().Truncate(time.Minute)
		}
		ev.ID = fmt.Sprintf("ev-%06d-%03d", g.grants, len(evs)+1)
		ev.Status, ev.Version = g.status(gr, svc, evs, ev)
		evs = append(evs, ev)
		g.d.Events = append(g.d.Events, Event{ProviderID: provider, ServiceEvent: ev})
	}
}

// earliest returns the earliest of the dates.
func earliest(a data.Date, more ...data.Date) data.Date {
	for _, x := range more {
		if x.Before(a) {
			a = x
		}
	}
	return a
}

// status decides an event's status and version as the organizer's
// workflow would have left it at now: past the settlement lock an event is
// settled (within 45 days of the lock) or paid, a few credited or deleted,
// and one that needed review approved or rejected; before the lock one
// that needs review (data.NeedsReview) is mostly in review, the others
// mostly recorded.
func (g *generator) status(gr data.Grant, svc data.Service, prior []data.ServiceEvent, ev data.ServiceEvent) (data.Status, int64) {
	ev.Status = data.StatusRecorded
	review := data.NeedsReview(gr, svc, prior, ev)
	lock := data.SettlementLock(ev.Date, g.d.Organizer.SettlementDay)
	x := g.rng.IntN(100)
	if !g.now.Before(lock) {
		switch {
		case review && x < 35:
			return data.StatusRejected, 3
		case !review && x < 1:
			return data.StatusDeleted, 2
		case x >= 97:
			return data.StatusCredited, 5
		case g.now.Sub(lock) < 45*24*time.Hour:
			return data.StatusSettled, 3
		default:
			return data.StatusPaid, 4
		}
	}
	switch {
	case review && x < 55:
		return data.StatusInReview, 1
	case review && x < 85:
		return data.StatusApproved, 2
	case review:
		return data.StatusRejected, 2
	case x < 4:
		return data.StatusDeleted, 2
	case x < 10:
		return data.StatusApproved, 2
	}
	return data.StatusRecorded, 1
}
