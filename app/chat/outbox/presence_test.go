package outbox

import (
	"fmt"
	"slices"
	"testing"
)

// TestPresenceUpdatesQueueInOrderAndCollapse: a socket's writer gets
// every list change in order; a change of the count alone replaces the
// count before it; past maxPresenceUpdates the chat must send the whole.
func TestPresenceUpdatesQueueInOrderAndCollapse(t *testing.T) {
	c := newTestOutbox(32)
	frag := func(s string) *Fragment {
		f, err := NewFragment([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	taken := func() []string {
		c.mu.Lock()
		defer c.mu.Unlock()
		frags, _ := c.take(nil)
		var out []string
		for _, f := range frags {
			out = append(out, string(f.html))
		}
		return out
	}

	c.OfferWholePresence(frag("whole"))
	mustOffer := func(s string, parts Parts) {
		t.Helper()
		if !c.OfferPresenceChange(frag(s), parts) {
			t.Fatalf("offer of %s refused", s)
		}
	}
	mustOffer("count 1", PartCount)
	mustOffer("count 2", PartCount)                   // replaces count 1
	mustOffer("count and more 3", PartCount|PartMore) // replaces count 2: it swaps all that one swaps
	mustOffer("count 4", PartCount)                   // does not: "and N more" of 3 would be lost
	mustOffer("list 5", PartCount|PartList)
	mustOffer("count 6", PartCount)
	if got, want := taken(), []string{"whole", "count and more 3", "count 4", "list 5", "count 6"}; !slices.Equal(got, want) {
		t.Errorf("writer took %q, want %q", got, want)
	}

	for i := range maxPresenceUpdates {
		mustOffer(fmt.Sprint("list ", i), PartList)
	}
	if c.OfferPresenceChange(frag("one too many"), PartList) {
		t.Fatalf("offer past %d waiting changes accepted, want it refused", maxPresenceUpdates)
	}
	c.OfferWholePresence(frag("whole again"))
	if got, want := taken(), []string{"whole again"}; !slices.Equal(got, want) {
		t.Errorf("writer took %q, want %q: the whole replaces what waited", got, want)
	}
	if got := taken(); len(got) != 0 {
		t.Errorf("writer took %q from an empty queue", got)
	}
}
