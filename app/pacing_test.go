package app_test

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"
)

var burstNumber = regexp.MustCompile(`burst (\d+)</p>`)

// burstsIn lists, for each websocket message that carries any, the burst
// messages it carries, in order.
func burstsIn(frames []string) [][]int {
	var out [][]int
	for _, f := range frames {
		var nums []int
		for _, m := range burstNumber.FindAllStringSubmatch(f, -1) {
			n, _ := strconv.Atoi(m[1])
			nums = append(nums, n)
		}
		if nums != nil {
			out = append(out, nums)
		}
	}
	return out
}

// In a busy room each socket gets the messages that came within the
// room's gap as one websocket message, in order, each once; a message
// after a quiet spell goes out at once, alone.
func TestBusyRoomSendsMessagesTogether(t *testing.T) {
	cfg := testConfig(t)
	cfg.Chat.MessageRateLimit = 0
	// Two sockets at one write a second: the room's fan-outs are two
	// seconds apart, far more than sending the burst takes.
	cfg.Chat.WritesPerSecond = 1
	cfg.Chat.MaxFanOutGap = 5 * time.Second
	const gap = 2 * time.Second
	a := startApp(t, cfg)
	sender, reader := signedUp(t, a, "alice").dial(""), signedUp(t, a, "bob").dial("")
	reader.waitCount(2)

	const burst = 5
	for i := range burst {
		sender.send(fmt.Sprintf("burst %d", i))
	}
	for _, s := range []*socket{reader, sender} {
		s.waitText(fmt.Sprintf("burst %d</p>", burst-1))
	}
	want := [][]int{{0}, {1, 2, 3, 4}}
	for _, s := range []*socket{reader, sender} {
		if got := burstsIn(s.snapshot()); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("websocket messages carried bursts %v, want %v: the first at once, the rest together", got, want)
		}
	}

	time.Sleep(gap + gap/10)
	sent := time.Now()
	sender.send(fmt.Sprintf("burst %d", burst))
	reader.waitText(fmt.Sprintf("burst %d</p>", burst))
	if d := time.Since(sent); d >= gap {
		t.Errorf("a message after a quiet spell took %v, want it sent at once, not held for the %v gap", d, gap)
	}
	got := burstsIn(reader.snapshot())
	if last := got[len(got)-1]; !slices.Equal(last, []int{burst}) {
		t.Errorf("the message after a quiet spell came in a websocket message with bursts %v, want it alone", last)
	}
}
