package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/parleychat/parley/app"
	"github.com/parleychat/parley/app/apptest"
	"github.com/parleychat/parley/app/oauth/oauthtest"
)

// The fuzz targets below send their inputs to a real Parley over loopback,
// started once per fuzzing process. Whatever the input, the answer is
// never a server error: a 500 is a bug (the panic handler answers 500
// too), and the database is healthy, so no 503 either.

// fuzzServer starts Parley (with a fake GitHub when oauth is set) and
// returns it with a client signed in as an admin.
func fuzzServer(f *testing.F, oauth bool) (*app.App, *http.Client) {
	f.Helper()
	cfg := apptest.Config(f)
	// A new socket gets its count at once rather than after the usual
	// quiet time, so that a fuzzed socket costs little.
	cfg.Chat.PresenceQuiet = time.Millisecond
	if oauth {
		gh := oauthtest.NewGitHub(f)
		cfg.OAuth.GitHub, cfg.OAuth.GitHubEndpoints = gh.Credentials(), gh.Endpoints()
	}
	a := apptest.Start(f, cfg)
	client := fuzzClient(f)
	resp, err := client.Do(formRequest(a.URL(), "/register", "application/x-www-form-urlencoded",
		url.Values{"username": {"fuzzadmin"}, "password": {"password-fuzz"}}.Encode()))
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		f.Fatalf("register: %v %v", resp, err)
	}
	resp.Body.Close()
	args := []string{"-database-url", cfg.DatabaseURL, "grant", "fuzzadmin"}
	if err := app.RunAdmin(context.Background(), args, func(string) string { return "" }, io.Discard); err != nil {
		f.Fatalf("grant admin: %v", err)
	}
	return a, client
}

func fuzzClient(tb testing.TB) *http.Client {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: waitTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// formRequest is a POST from the site's own page.
func formRequest(base, path, contentType, body string) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Origin", base)
	return req
}

// answer sends req and fails t on a server error; it returns the status.
func answer(t *testing.T, client *http.Client, req *http.Request) int {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		t.Fatalf("%s %s: %d, want no server error; body %.300s", req.Method, req.URL, resp.StatusCode, body)
	}
	return resp.StatusCode
}

// formRoutes are the routes that decode a form; /logout is left out so
// that the admin stays signed in (it reads no field).
var formRoutes = []string{"/login", "/register", "/rooms", "/admin/mute", "/admin/unmute",
	"/admin/ban", "/admin/unban", "/messages/1/delete"}

var formTypes = []string{"application/x-www-form-urlencoded", "multipart/form-data; boundary=fuzz",
	"text/plain", ""}

// FuzzFormDecoders posts arbitrary bodies to every route that reads a
// form, signed in as an admin (so the admin forms are decoded too).
func FuzzFormDecoders(f *testing.F) {
	seeds := []string{
		"username=alice&password=password1", "username=%ff%fe&password=x", "name=random", "name=Ab-",
		"user=alice&minutes=10", "user=github:octocat&minutes=-1", "user=&minutes=99999999999999999999",
		"a=%", "%%%%&&&===", "user=alice&user=bob", strings.Repeat("x=y&", 2000),
		"--fuzz\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nbob\r\n--fuzz--\r\n",
	}
	for i, s := range seeds {
		f.Add(uint8(i), uint8(i), s)
	}
	a, admin := fuzzServer(f, false)
	f.Fuzz(func(t *testing.T, route, kind uint8, body string) {
		path := formRoutes[int(route)%len(formRoutes)]
		ct := formTypes[int(kind)%len(formTypes)]
		answer(t, admin, formRequest(a.URL(), path, ct, body))
	})
}

// FuzzOAuthCallback calls /auth/github/callback with arbitrary
// parameters, after a real start of the sign-in whose state it may use,
// change or leave out. Besides never failing on the server side, no
// sign-in may succeed: the fake provider never issued the fuzzed code.
func FuzzOAuthCallback(f *testing.F) {
	f.Add(uint8(0), "", "code", "", "")
	f.Add(uint8(1), "x", "", "access_denied", "error_description=no")
	f.Add(uint8(2), "", "%ff", "", "state=a&state=b")
	f.Add(uint8(0), strings.Repeat("s", 5000), "c", "", "code=a&code=b")
	a, _ := fuzzServer(f, true)
	f.Fuzz(func(t *testing.T, mode uint8, state, code, errParam, extra string) {
		client := fuzzClient(t)
		begin, _ := http.NewRequest(http.MethodGet, a.URL()+"/auth/github", nil)
		resp, err := client.Do(begin)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatalf("begin: Location %q: %v", resp.Header.Get("Location"), err)
		}
		q, _ := url.ParseQuery(extra)
		if q == nil {
			q = url.Values{}
		}
		switch mode % 3 {
		case 0: // the real state
			q.Set("state", loc.Query().Get("state"))
		case 1: // a fuzzed one
			q.Set("state", state)
		}
		if code != "" {
			q.Set("code", code)
		}
		if errParam != "" {
			q.Set("error", errParam)
		}
		req, _ := http.NewRequest(http.MethodGet, a.URL()+"/auth/github/callback?"+q.Encode(), nil)
		if status := answer(t, client, req); status == http.StatusSeeOther {
			t.Fatalf("callback with %q signed in (303), want a refusal", q.Encode())
		}
	})
}

// FuzzHistoryParams sends arbitrary before and shown values: the room
// page and its earlier messages answer 200 or 400, and the socket opens
// or is refused with 400, never a server error.
func FuzzHistoryParams(f *testing.F) {
	for _, s := range []string{"1", "0", "-1", "9223372036854775807", "9223372036854775808", "1e3", " 1", "0x10", "", "%00"} {
		f.Add(s, s)
	}
	a, client := fuzzServer(f, false)
	resp, err := client.Do(formRequest(a.URL(), "/rooms", "application/x-www-form-urlencoded", "name=fuzz"))
	if err != nil {
		f.Fatal(err)
	}
	resp.Body.Close()
	u, _ := url.Parse(a.URL())
	var cookie string
	for _, c := range client.Jar.Cookies(u) {
		cookie = c.Name + "=" + c.Value
	}
	f.Fuzz(func(t *testing.T, before, shown string) {
		for _, path := range []string{"/r/general?before=", "/r/general/messages?before="} {
			req, _ := http.NewRequest(http.MethodGet, a.URL()+path+url.QueryEscape(before), nil)
			if status := answer(t, client, req); status != http.StatusOK && status != http.StatusBadRequest {
				t.Fatalf("GET %s%q: %d, want 200 or 400", path, before, status)
			}
		}
		d := websocket.Dialer{HandshakeTimeout: waitTimeout}
		hdr := http.Header{"Origin": {a.URL()}, "Cookie": {cookie}}
		conn, resp, err := d.Dial("ws"+strings.TrimPrefix(a.URL(), "http")+"/ws?room=fuzz&shown="+url.QueryEscape(shown), hdr)
		if err == nil {
			// The socket opened: it must work, the count first.
			_ = conn.SetReadDeadline(time.Now().Add(waitTimeout))
			for {
				_, data, err := conn.ReadMessage()
				if err != nil {
					t.Fatalf("socket with shown=%q: %v before the count", shown, err)
				}
				if strings.Contains(string(data), "user online") {
					break
				}
			}
			conn.Close()
			return
		}
		if resp == nil || resp.StatusCode >= 500 {
			t.Fatalf("socket with shown=%q: %v, %v; want it opened or refused with a 4xx", shown, resp, err)
		}
	})
}
