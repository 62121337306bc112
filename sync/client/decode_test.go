package client

import (
	"psopdesk/data"
	"psopdesk/data/hetu"
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
