package e2e

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// TestOnlineListFollowsEveryChange: the online list that htmx builds from
// the server's changes (the count, "and N more", one <li> in or out at a
// time) is, after every step, the list the server renders for a fresh
// page: through a crowd of 103 arriving at once, arrivals first, last and
// sorted without regard to case, departures inside and beyond the first 100 names, and a
// reconnect, with no console error on the way.
func TestOnlineListFollowsEveryChange(t *testing.T) {
	g := newGate(t)
	srv := startParley(t, g.URL())
	g.open(srv.cfg.Addr)

	// Zed is online all along, on a socket of his own: the page he loads
	// is the server's list (his own presence changes nothing in it).
	zed := newHTTPUser(t, srv.direct())
	zed.register("zed")
	people := map[string]*idleSocket{"zed": dialIdle(t, srv, zed)}
	mia := newBrowser(t, "Mia").open("mia", srv.URL(), "/")
	mia.register("mia")

	// The page and the server agree once both have seen the step: the
	// server's list is read again on every look at the page.
	check := func(step string) {
		t.Helper()
		var want []string
		mia.waitFor(step+": show the server's list", waitLive, func(s pageState) bool {
			want = serverList(t, zed)
			return slices.Equal(append([]string{s.Users}, s.online()...), want)
		})
		if len(want) < 2 {
			t.Fatalf("%s: the server lists %q", step, want)
		}
	}
	arrive := func(names ...string) {
		t.Helper()
		for _, name := range names {
			u := newHTTPUser(t, srv.direct())
			u.register(name)
			people[name] = dialIdle(t, srv, u)
		}
	}
	leave := func(name string) {
		t.Helper()
		people[name].close()
		delete(people, name)
	}
	check("mia and zed")

	// A crowd: more than the list names.
	var crowd []string
	for i := range 103 {
		crowd = append(crowd, fmt.Sprintf("p%03d", i))
	}
	arrive(crowd...)
	check("a crowd of 103")

	for _, step := range []struct{ what, arrive, leave string }{
		{what: "someone first in the list", arrive: "aaron"},
		// By bytes "Ann" and "Bea" would come before "aaron".
		{what: "a capital name after a lower-case one", arrive: "Ann"},
		{what: "another capital name", arrive: "Bea"},
		{what: "someone beyond the first 100", arrive: "zz-top"},
		{what: "a departure inside the first 100", leave: "p005"},
		{what: "a departure beyond the first 100", leave: "p102"},
		{what: "a capital name leaving", leave: "Ann"},
		{what: "the first name leaving", leave: "aaron"},
	} {
		if step.arrive != "" {
			arrive(step.arrive)
		} else {
			leave(step.leave)
		}
		check(step.what)
	}

	// Mia's socket drops (the network, not the server): the ws extension
	// reconnects, and the page gets the whole list again.
	_, opened := mia.watch.socketCounts()
	mia.watch.setOutage(true)
	g.dropAll()
	mia.waitFor("reconnect", waitReconnect, func(pageState) bool {
		_, n := mia.watch.socketCounts()
		return n > opened
	})
	mia.watch.setOutage(false)
	leave("p050") // a change after the reconnect applies to the new list
	check("after a reconnect")
}

// serverList is the count and online list the server renders for u's
// fresh page of general, as pageState.online reads them from a page.
func serverList(t *testing.T, u *httpUser) []string {
	t.Helper()
	res := u.do(http.MethodGet, "/r/general", nil)
	if res.status != http.StatusOK {
		t.Fatalf("GET /r/general: %d", res.status)
	}
	count := countRE.FindStringSubmatch(res.body)
	list := listRE.FindStringSubmatch(res.body)
	if count == nil || list == nil {
		t.Fatalf("page lacks the count or the online list:\n%.2000s", res.body)
	}
	shown := []string{count[1]}
	for _, m := range personRE.FindAllStringSubmatch(list[1], -1) {
		shown = append(shown, m[1])
	}
	if more := moreRE.FindStringSubmatch(list[1]); more != nil {
		shown = append(shown, more[1])
	}
	return shown
}

var (
	countRE  = regexp.MustCompile(`<span id="num-users"[^>]*>([^<]*)</span>`)
	listRE   = regexp.MustCompile(`(?s)<ul id="online-users"[^>]*>(.*?)</ul>`)
	personRE = regexp.MustCompile(`<li id="online-\d+">([^<]*)`)
	moreRE   = regexp.MustCompile(`<li id="online-more">([^<]+)</li>`)
)

// idleSocket is a person's socket that reads and drops every frame, as a
// tab in the background does.
type idleSocket struct {
	conn *websocket.Conn
	done chan struct{}
}

// dialIdle opens u's socket of general on the server's own address.
func dialIdle(t *testing.T, srv *server, u *httpUser) *idleSocket {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := http.Header{"Origin": {srv.URL()}, "Cookie": {u.cookieHeader()}}
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, "ws"+strings.TrimPrefix(srv.direct(), "http")+"/ws", h)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	s := &idleSocket{conn: conn, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	t.Cleanup(s.close)
	return s
}

// close ends the socket with a close frame and waits for its reader.
func (s *idleSocket) close() {
	_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	_ = s.conn.Close()
	<-s.done
}
