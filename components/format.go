package components

import (
	"strings"

	"github.com/parleychat/parley/app/parley"
)

// ProviderLabel is how a provider's name is shown.
func ProviderLabel(provider string) string { return parley.ProviderLabel(provider) }

// onlineSelectors is the CSS selector list of the online list's <li> of
// each of these people.
func onlineSelectors(userIDs []int64) string {
	var b strings.Builder
	for i, id := range userIDs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('#')
		b.WriteString(OnlinePersonID(id))
	}
	return b.String()
}

// onlineAnchor is the id of the element a newly named person goes before:
// the person named after them, or #online-more at the end of the list.
func onlineAnchor(before int64) string {
	if before == 0 {
		return "online-more"
	}
	return OnlinePersonID(before)
}

// joinedRuns groups the newly named people that go before the same
// element, keeping their order.
func joinedRuns(joined []parley.ListedPerson) [][]parley.ListedPerson {
	var runs [][]parley.ListedPerson
	for i := 0; i < len(joined); {
		j := i + 1
		for j < len(joined) && joined[j].Before == joined[i].Before {
			j++
		}
		runs = append(runs, joined[i:j])
		i = j
	}
	return runs
}
