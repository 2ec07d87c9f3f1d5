package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Sign-in settings.
const (
	sessionCookie      = "parley_session"
	userPassword       = "loadgen-password"
	signInConcurrency  = 32
	signInTimeout      = 30 * time.Second // one HTTP request
	errorBodySnippet   = 200              // bytes of an unexpected answer quoted in errors
	signInProgressStep = 1000             // log every this many users
)

// signInResult is the outcome of signing in every user.
type signInResult struct {
	cookies    []string // "parley_session=..." per user index
	registered int
	loggedIn   int
}

// signer signs users in through Parley's real forms.
type signer struct {
	client *http.Client
	base   *url.URL
	origin string
}

func newSigner(base *url.URL, origin string) *signer {
	transport := &http.Transport{
		Proxy:               nil, // loopback: never through a proxy
		MaxIdleConnsPerHost: signInConcurrency,
	}
	return &signer{
		client: &http.Client{
			Transport: transport,
			Timeout:   signInTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse // the 303 and its cookie are the answer
			},
		},
		base:   base,
		origin: origin,
	}
}

// close releases the signer's idle connections.
func (s *signer) close() { s.client.CloseIdleConnections() }

// userName is the name of user i of a run.
func userName(runID string, i int) string { return fmt.Sprintf("lg-%s-%d", runID, i) }

// signInAll signs in users 0..count-1, signInConcurrency at a time, and
// stops at the first failure.
func (s *signer) signInAll(ctx context.Context, runID string, count int, logf logFunc) (signInResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	result := signInResult{cookies: make([]string, count)}
	var registered, loggedIn, done atomic.Int64
	var firstErr error
	var errOnce sync.Once
	indexes := make(chan int)
	var workers sync.WaitGroup
	for range min(signInConcurrency, count) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for i := range indexes {
				cookie, wasNew, err := s.signIn(ctx, userName(runID, i))
				if err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					continue
				}
				result.cookies[i] = cookie
				if wasNew {
					registered.Add(1)
				} else {
					loggedIn.Add(1)
				}
				if n := done.Add(1); n%signInProgressStep == 0 {
					logf("signed in %d of %d users", n, count)
				}
			}
		}()
	}
	feedIndexes(ctx, indexes, count)
	workers.Wait()
	if firstErr != nil {
		return signInResult{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return signInResult{}, err
	}
	result.registered = int(registered.Load())
	result.loggedIn = int(loggedIn.Load())
	return result, nil
}

// feedIndexes sends 0..count-1 on indexes until ctx ends, then closes it.
func feedIndexes(ctx context.Context, indexes chan<- int, count int) {
	defer close(indexes)
	for i := range count {
		select {
		case indexes <- i:
		case <-ctx.Done():
			return
		}
	}
}

// feedIndexesEvenly sends 0..count-1 as feedIndexes does, index i no
// sooner than i*over/count after the start, then closes indexes. It
// schedules from the start rather than sleeping between sends, so slow
// dials do not stretch the spread.
func feedIndexesEvenly(ctx context.Context, indexes chan<- int, count int, over time.Duration) {
	defer close(indexes)
	start := time.Now()
	for i := range count {
		if wait := time.Until(start.Add(over * time.Duration(i) / time.Duration(count))); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return
			}
		}
		select {
		case indexes <- i:
		case <-ctx.Done():
			return
		}
	}
}

// signIn registers name, or signs it in when the name is taken, and
// returns its session cookie as a Cookie header value.
func (s *signer) signIn(ctx context.Context, name string) (cookie string, registered bool, err error) {
	form := url.Values{"username": {name}, "password": {userPassword}}
	cookie, status, err := s.postForm(ctx, "/register", form)
	if err != nil {
		return "", false, fmt.Errorf("register %s: %w", name, err)
	}
	if status != http.StatusConflict {
		return cookie, true, nil
	}
	cookie, status, err = s.postForm(ctx, "/login", form)
	if err == nil && status != http.StatusSeeOther {
		err = fmt.Errorf("POST /login: HTTP %d, want 303", status)
	}
	if err != nil {
		return "", false, fmt.Errorf("sign in %s (name taken, so not registered): %w", name, err)
	}
	return cookie, false, nil
}

// response is what the generator keeps of an HTTP answer.
type response struct {
	status  int
	cookies []*http.Cookie
	body    []byte // the first errorBodySnippet bytes, quoted in errors
}

// post posts form to path as a same-origin browser would, with cookie
// (a Cookie header value) unless it is empty. Redirects are not followed.
func (s *signer) post(ctx context.Context, path string, form url.Values, cookie string) (response, error) {
	target := s.base.JoinPath(path).String()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return response{}, fmt.Errorf("build POST %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.origin)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, errorBodySnippet))
	_, _ = io.Copy(io.Discard, resp.Body) // let the connection be reused
	return response{status: resp.StatusCode, cookies: resp.Cookies(), body: body}, nil
}

// postForm posts a sign-in form to path. It expects 303 (to /chat or to a
// room, wherever it leads) with a session cookie; a 409 is returned as a
// status for the caller to handle, any other answer is an error.
func (s *signer) postForm(ctx context.Context, path string, form url.Values) (cookie string, status int, err error) {
	resp, err := s.post(ctx, path, form, "")
	if err != nil {
		return "", 0, err
	}
	switch resp.status {
	case http.StatusSeeOther:
		for _, c := range resp.cookies {
			if c.Name == sessionCookie && c.Value != "" {
				return c.Name + "=" + c.Value, resp.status, nil
			}
		}
		return "", 0, fmt.Errorf("POST %s: 303 without a %s cookie", path, sessionCookie)
	case http.StatusConflict:
		return "", resp.status, nil
	default:
		return "", 0, fmt.Errorf("POST %s: HTTP %d, want 303: %q", path, resp.status, resp.body)
	}
}
