package chat

import (
	"time"

	"github.com/parleychat/parley/app/i18n"
)

// maxNamedInNotice is how many names one notice lists before it sums up the
// rest ("Ann, Bo, Cy and 97 others joined the chat").
const maxNamedInNotice = 3

// maxNoticesPerFlush bounds the notices one presence flush sends: beyond it,
// arrivals and departures are each summed up in a single notice.
const maxNoticesPerFlush = 4

// Notice tells the room that people joined or left.
type Notice struct {
	Joined bool
	// Names lists up to maxNamedInNotice people, in the order they came or went.
	Names []string
	// Others counts the people not named.
	Others int
	At     time.Time
}

// presenceEvent is one person's first socket opening or last socket closing.
type presenceEvent struct {
	name   string
	joined bool
}

// summarize groups consecutive events of the same kind into notices, so a
// burst of arrivals becomes one line rather than thousands.
func summarize(events []presenceEvent, at time.Time) []Notice {
	notices := group(events, at)
	if len(notices) <= maxNoticesPerFlush {
		return notices
	}
	// Churn that alternates between arrivals and departures: one notice
	// for each kind.
	sorted := make([]presenceEvent, 0, len(events))
	for _, joined := range []bool{true, false} {
		for _, e := range events {
			if e.joined == joined {
				sorted = append(sorted, e)
			}
		}
	}
	return group(sorted, at)
}

// group folds each run of arrivals or departures into one notice.
func group(events []presenceEvent, at time.Time) []Notice {
	var notices []Notice
	for i, e := range events {
		if i > 0 && events[i-1].joined == e.joined {
			last := &notices[len(notices)-1]
			if len(last.Names) < maxNamedInNotice {
				last.Names = append(last.Names, e.name)
			} else {
				last.Others++
			}
			continue
		}
		notices = append(notices, Notice{Joined: e.joined, Names: []string{e.name}, At: at})
	}
	return notices
}

// String words the notice in English: "Ann joined the chat", "Ann and Bo
// left the chat", "Ann, Bo, Cy and 2 others joined the chat".
func (n Notice) String() string { return n.Text(i18n.English) }

// Text words the notice in lang: "Ana y Bo se unieron al chat".
func (n Notice) Text(lang i18n.Lang) string {
	return i18n.Locale{Lang: lang}.Joined(n.Joined, n.Names, n.Others)
}
