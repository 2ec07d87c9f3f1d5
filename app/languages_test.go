package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// getIn fetches a page as a browser whose language is acceptLanguage.
func (b *browser) getIn(path, acceptLanguage string) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	status, body, _ := b.do(req)
	return status, body
}

func TestPagesSpeakTheBrowsersLanguage(t *testing.T) {
	a := startApp(t, testConfig(t))
	b := newBrowser(t, a.URL())
	tests := []struct {
		path, accept string
		status       int
		want         []string
	}{
		{"/login", "es-MX,es;q=0.9,en;q=0.5", 200, []string{`<html lang="es">`, "<title>Iniciar sesión · Parley</title>", ">Nombre de usuario</label>", "¿Eres nuevo?"}},
		{"/login", "fr-FR,fr;q=0.9", 200, []string{`<html lang="en">`, "<title>Sign in · Parley</title>", ">Username</label>"}},
		{"/login", "", 200, []string{`<html lang="en">`, ">Sign in</button>"}},
		{"/register", "es", 200, []string{`<html lang="es">`, ">Crear cuenta</button>", "al menos 8 caracteres"}},
		{"/no-such-page", "es", 404, []string{`<html lang="es">`, "<h1>No encontrado</h1>", "No hay nada en esta dirección.", "Volver a Parley"}},
		{"/no-such-page", "en", 404, []string{"<h1>Not Found</h1>", "There is nothing at this address."}},
		{"/settings", "es", 200, []string{`<html lang="es">`, ">Idioma</label>", ">Zona horaria</label>", `<option value="Europe/Madrid"`, "guarda tu elección en una cookie"}},
	}
	for _, tt := range tests {
		status, body := b.getIn(tt.path, tt.accept)
		if status != tt.status {
			t.Errorf("GET %s (%q): status %d, want %d", tt.path, tt.accept, status, tt.status)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s (%q): no %q in %.400s", tt.path, tt.accept, w, body)
			}
		}
	}
	// A refused registration says why in Spanish.
	req, _ := http.NewRequest(http.MethodPost, a.URL()+"/register", strings.NewReader(url.Values{"username": {"a"}, "password": {"long enough"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", a.URL())
	req.Header.Set("Accept-Language", "es")
	status, body, _ := b.do(req)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "El nombre de usuario debe tener de 3 a 32 caracteres.") {
		t.Errorf("short username in Spanish: %d %.400s", status, body)
	}
}

// TestVisitorSettingsAreKeptInACookie: a signed-out visitor's choice
// overrides their browser's language; bad values are refused with 422 and
// change nothing; another site cannot post the form.
func TestVisitorSettingsAreKeptInACookie(t *testing.T) {
	a := startApp(t, testConfig(t))
	b := newBrowser(t, a.URL())
	status, _, hdr := b.post("/settings", url.Values{"lang": {"es"}, "zone": {"Europe/Madrid"}})
	if status != http.StatusSeeOther || hdr.Get("Location") != "/settings?saved=1" {
		t.Fatalf("POST /settings: %d to %q, want 303 to /settings?saved=1", status, hdr.Get("Location"))
	}
	if _, body := b.getIn("/login", "en-US,en;q=0.9"); !strings.Contains(body, `<html lang="es">`) || !strings.Contains(body, "Iniciar sesión") {
		t.Errorf("after choosing Spanish, /login with an English browser: %.300s", body)
	}
	_, body := b.getIn("/settings?saved=1", "")
	for _, w := range []string{`<option value="es" lang="es" selected>`, `<option value="Europe/Madrid" selected>`, "Tus ajustes se guardaron."} {
		if !strings.Contains(body, w) {
			t.Errorf("settings page: no %q", w)
		}
	}

	for _, bad := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"lang": {"fr"}, "zone": {"UTC"}}, "Parley no habla &#34;fr&#34;: elige English o Español."},
		{url.Values{"lang": {"en"}, "zone": {"Mars/Olympus"}}, "&#34;Mars/Olympus&#34; no es una zona horaria que Parley conozca"},
		{url.Values{"lang": {"en"}, "zone": {"Local"}}, "&#34;Local&#34; no es una zona horaria"},
	} {
		status, body, _ := b.post("/settings", bad.form)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, bad.want) || !strings.Contains(body, `role="alert"`) {
			t.Errorf("POST /settings %v: %d, want 422 with %q; body %.600s", bad.form, status, bad.want, body)
		}
	}
	if _, body := b.getIn("/login", ""); !strings.Contains(body, `<html lang="es">`) {
		t.Errorf("a refused choice changed the language: %.200s", body)
	}

	// From another site: refused, and nothing changes.
	req, _ := http.NewRequest(http.MethodPost, a.URL()+"/settings", strings.NewReader(url.Values{"lang": {"en"}, "zone": {"UTC"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if status, _, _ := b.do(req); status != http.StatusForbidden {
		t.Errorf("cross-site POST /settings: %d, want 403", status)
	}
	if _, body := b.getIn("/login", ""); !strings.Contains(body, `<html lang="es">`) {
		t.Errorf("a cross-site post changed the language")
	}

	// Back to the browser's language.
	b.post("/settings", url.Values{"lang": {""}, "zone": {"UTC"}})
	if _, body := b.getIn("/login", "en"); !strings.Contains(body, `<html lang="en">`) {
		t.Errorf("after choosing the browser's language: %.200s", body)
	}
}

var timePattern = regexp.MustCompile(`<time datetime="([^"]+)"[^>]*>(\d\d:\d\d)</time>`)

// TestEachSocketGetsItsPersonsLanguageAndZone: the choice is kept on the
// account (a new sign-in elsewhere has it), and in one room a Spanish
// reader in Mexico City and an English reader in UTC each get the count,
// the notices and the message in their own language and zone, while the
// message's text is as written.
func TestEachSocketGetsItsPersonsLanguageAndZone(t *testing.T) {
	a := startApp(t, testConfig(t))
	ana := signedUp(t, a, "ana")
	if status, _, _ := ana.post("/settings", url.Values{"lang": {"es"}, "zone": {"America/Mexico_City"}}); status != http.StatusSeeOther {
		t.Fatalf("ana's settings: %d", status)
	}
	// Kept on the account: another browser that signs in as ana, with an
	// English Accept-Language, sees Spanish.
	elsewhere := newBrowser(t, a.URL())
	if status, _, _ := elsewhere.post("/login", url.Values{"username": {"ana"}, "password": {"password-ana"}}); status != http.StatusSeeOther {
		t.Fatalf("sign in as ana: %d", status)
	}
	if _, body := elsewhere.getIn("/rooms", "en"); !strings.Contains(body, `<html lang="es">`) || !strings.Contains(body, ">Salas</h2>") {
		t.Errorf("ana's rooms in another browser: %.300s", body)
	}

	anaSocket := ana.dial("?room=general&shown=0")
	anaSocket.waitText("1 usuario en línea")
	bo := signedUp(t, a, "bob")
	boSocket := bo.dial("?room=general&shown=0")
	anaSocket.waitText("bob se unió al chat")
	anaSocket.waitText("2 usuarios en línea")
	boSocket.waitText("2 users online")

	boSocket.send("¿Qué tal? <b>hi</b>")
	anaSocket.waitText("¿Qué tal? &lt;b&gt;hi&lt;/b&gt;")
	boSocket.waitText("¿Qué tal? &lt;b&gt;hi&lt;/b&gt;")
	mexico, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		who    string
		s      *socket
		zone   *time.Location
		delete string
	}{{"ana", anaSocket, mexico, ""}, {"bo", boSocket, time.UTC, ">Delete</button>"}} {
		var shown []string
		for _, f := range tt.s.snapshot() {
			if strings.Contains(f, "¿Qué tal?") {
				shown = timePattern.FindStringSubmatch(f)
				if tt.delete != "" && !strings.Contains(f, tt.delete) {
					t.Errorf("%s's own message has no %q: %s", tt.who, tt.delete, f)
				}
			}
		}
		if shown == nil {
			t.Fatalf("%s got no message with a time", tt.who)
		}
		at, err := time.Parse(time.RFC3339, shown[1])
		if err != nil || at.Location() != time.UTC || !strings.HasSuffix(shown[1], "Z") {
			t.Errorf("%s: datetime %q, want RFC 3339 in UTC", tt.who, shown[1])
		}
		if want := at.In(tt.zone).Format("15:04"); shown[2] != want {
			t.Errorf("%s: message time %s, want %s (datetime %s)", tt.who, shown[2], want, shown[1])
		}
	}
	if n := containing(boSocket.snapshot(), "usuarios en línea"); n != 0 {
		t.Errorf("bo got %d Spanish counts", n)
	}

	bo.post("/logout", nil)
	anaSocket.waitText("bob salió del chat")
	// ana's page itself, and the fresh form after a send, are in Spanish.
	if _, body := ana.getIn("/r/general", "en"); !strings.Contains(body, ">Enviar</button>") || !strings.Contains(body, `<html lang="es">`) {
		t.Errorf("ana's room page: %.300s", body)
	}
	anaSocket.send("hola")
	anaSocket.waitText(`placeholder="Escribe un mensaje…"`)
}

var mutedInSpanish = regexp.MustCompile(`Estás silenciado hasta las (\d\d:\d\d) (CST|CDT|-0[56])\.`)

// TestMutedUntilInTheReadersZone: a muted person in Mexico City is told, in
// Spanish, until when in their own time; the admin, in Madrid, reads the
// mute's end in Madrid time on the moderation page. A signed-in person's
// bad settings are refused with 422 and leave their choice as it was.
func TestMutedUntilInTheReadersZone(t *testing.T) {
	cfg := testConfig(t)
	a := startApp(t, cfg)
	ana, mod := signedUp(t, a, "ana"), signedUpAdmin(t, a, cfg, "mod")
	ana.post("/settings", url.Values{"lang": {"es"}, "zone": {"America/Mexico_City"}})
	mod.post("/settings", url.Values{"lang": {"en"}, "zone": {"Europe/Madrid"}})
	if status, body, _ := ana.post("/settings", url.Values{"lang": {"es"}, "zone": {"Mexico"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "no es una zona horaria") {
		t.Errorf("bad zone, signed in: %d %.300s", status, body)
	}
	if status, _, _ := ana.post("/settings", url.Values{"lang": {"de"}, "zone": {"UTC"}}); status != http.StatusUnprocessableEntity {
		t.Errorf("bad language, signed in: %d, want 422", status)
	}
	if _, body := ana.getIn("/settings", "en"); !strings.Contains(body, `<option value="America/Mexico_City" selected>`) || !strings.Contains(body, `<html lang="es">`) {
		t.Errorf("refused settings changed ana's choice: %.300s", body)
	}

	anaWS := ana.dial("")
	anaWS.waitText("usuario en línea")
	before := time.Now()
	if status, _, _ := mod.post("/admin/mute", url.Values{"user": {"ana"}, "minutes": {"30"}}); status != http.StatusSeeOther {
		t.Fatalf("mute ana: %d", status)
	}
	anaWS.send("¿me oyen?")
	anaWS.waitText("Estás silenciado hasta las")
	frames := anaWS.snapshot()
	m := mutedInSpanish.FindStringSubmatch(frames[len(frames)-1])
	if m == nil {
		t.Fatalf("muted error %q: want the time in Mexico City", frames[len(frames)-1])
	}
	mexico, _ := time.LoadLocation("America/Mexico_City")
	madrid, _ := time.LoadLocation("Europe/Madrid")
	end := before.Add(30 * time.Minute)
	if want := end.In(mexico).Format("15:04"); m[1] != want && m[1] != end.Add(time.Minute).In(mexico).Format("15:04") {
		t.Errorf("muted until %s, want about %s in Mexico City", m[1], want)
	}
	_, page, _ := mod.get("/admin")
	wantMadrid := end.In(madrid).Format("15:04 MST")
	if !strings.Contains(page, wantMadrid) && !strings.Contains(page, end.Add(time.Minute).In(madrid).Format("15:04 MST")) {
		t.Errorf("the admin page shows no %q (Madrid time) for the mute: %s", wantMadrid, page)
	}
}
