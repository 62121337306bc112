package client

import (
	"context"
	"errors"
	"testing"
	"time"

	"psopdesk/sync/organizer"
)

// The reference organizer tells the key's expiry; the client reads it and
// warns within 30 days.
func TestKeyExpiryFromOrganizer(t *testing.T) {
	st, err := organizer.Open(t.TempDir() + "/org.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return now })
	if _, err := st.Apply(organizer.Demo(5, organizer.DemoSeed, now), now); err != nil {
		t.Fatal(err)
	}
	expires := time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)
	key, err := st.CreateKey("prov-1", "test", expires)
	if err != nil {
		t.Fatal(err)
	}
	run, err := organizer.Start(context.Background(), "127.0.0.1:0", st)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	got, err := NewClient(run.URL, key).KeyExpiry(context.Background())
	if err != nil || !got.Equal(expires) {
		t.Fatalf("KeyExpiry = %v, %v; want %v", got, err, expires)
	}
	if !ExpiresSoon(got, now) || ExpiresSoon(got, now.Add(-30*24*time.Hour)) || ExpiresSoon(time.Time{}, now) {
		t.Error("ExpiresSoon is not 'within 30 days'")
	}
	_, err = NewClient(run.URL, "psopk_wrong").KeyExpiry(context.Background())
	var se *Error
	if !errors.As(err, &se) || se.Kind != Unauthorized {
		t.Errorf("a wrong key: %v, want Unauthorized", err)
	}
}
