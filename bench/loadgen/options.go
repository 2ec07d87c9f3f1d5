package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"
)

// Options configure one run of the load generator.
type Options struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:8080, or the
	// base URLs of several instances of one chat, comma-separated: socket
	// i then goes to instance i mod N, as a balancer without sticky
	// sessions would send it; users sign in and rooms are made on the
	// first (the instances share their store, so a session is valid on all).
	URL     string
	Users   int // users to sign in; 0 means one per socket
	Sockets int // websockets to open, round-robin over the users
	Rooms   int // rooms the sockets join round-robin; 1 means all in general
	// Private, with one room, puts every socket in a private room of the
	// run's instead of general: user 0 creates it and adds every other
	// user through the members form.
	Private         bool
	Messages        int // messages to time in the broadcast phase
	DialConcurrency int // websocket dials in flight at once
	// DialSpread, when above 0, starts the storm's dials evenly over this
	// long (one every DialSpread/Sockets), still at most DialConcurrency
	// in flight: arrivals spread as people's are after a deploy.
	DialSpread     time.Duration
	StalledPercent float64       // share of sockets that stop reading after the storm
	PhaseTimeout   time.Duration // limit for each phase
	// Rate, when above 0, is rate mode: Senders sockets send Rate messages
	// a second between them for RateDuration instead of the one-at-a-time
	// broadcast; deliveries still missing RateDrain after the last send
	// are lost.
	Rate         float64
	Senders      int
	RateDuration time.Duration
	RateDrain    time.Duration
	PIDs         []int     // the server's process IDs (one per instance) for CPU and RSS; none skips them
	AllowRemote  bool      // allow a URL that is not loopback
	RunID        string    // names users lg-RUNID-i; empty picks a random one
	Log          io.Writer // progress lines; nil discards them
	// Hold keeps the sockets open and idle this long after the connect
	// storm, before the server's RSS is sampled: time for its memory to
	// settle and for a heap profile to be taken.
	Hold time.Duration
	// Trickle, when above 0, has this many more people arrive in general
	// after the broadcast, one every TrickleEvery (see runner.trickle).
	Trickle      int
	TrickleEvery time.Duration
	// Restart keeps the sockets open through a restart of the server
	// (runRestart) instead of the storm, broadcast and leave phases.
	Restart bool
	// OnReady, when set, is called in -restart mode once every socket
	// shows the count: the moment to restart the server.
	OnReady func()
}

// logFunc prints one progress line.
type logFunc func(format string, args ...any)

// endpoints are the URLs and headers derived from Options.URL.
type endpoints struct {
	base   *url.URL
	origin string // scheme://host[:port], sent as Origin
	ws     string // the websocket URL, ws[s]://host/ws
}

// normalize fills in defaults and checks the options.
func (o Options) normalize() (Options, error) {
	if o.Sockets < 1 {
		return o, fmt.Errorf("sockets must be at least 1, got %d", o.Sockets)
	}
	if o.Users == 0 {
		o.Users = o.Sockets
	}
	if o.Users < 1 {
		return o, fmt.Errorf("users must be at least 1, got %d", o.Users)
	}
	if o.Rooms < 1 {
		return o, fmt.Errorf("rooms must be at least 1, got %d", o.Rooms)
	}
	if o.Rooms > o.Sockets {
		return o, fmt.Errorf("rooms (%d) must not exceed sockets (%d): every room needs a socket", o.Rooms, o.Sockets)
	}
	if o.Messages < 0 {
		return o, fmt.Errorf("messages must not be negative, got %d", o.Messages)
	}
	if o.DialConcurrency < 1 {
		return o, fmt.Errorf("dial concurrency must be at least 1, got %d", o.DialConcurrency)
	}
	if o.DialSpread < 0 || o.DialSpread >= o.PhaseTimeout {
		return o, fmt.Errorf("dial spread (%v) must not be negative, and less than the phase timeout (%v)", o.DialSpread, o.PhaseTimeout)
	}
	if o.StalledPercent < 0 || o.StalledPercent >= 100 {
		return o, fmt.Errorf("stalled percent must be in [0, 100), got %g", o.StalledPercent)
	}
	if o.Rate < 0 {
		return o, fmt.Errorf("rate must not be negative, got %g", o.Rate)
	}
	if o.Rate > 0 {
		if o.Senders < 1 {
			return o, fmt.Errorf("senders must be at least 1 in rate mode, got %d", o.Senders)
		}
		if o.RateDuration <= 0 || o.RateDrain <= 0 {
			return o, fmt.Errorf("rate duration and drain must be positive, got %v and %v", o.RateDuration, o.RateDrain)
		}
		if o.RateDuration+o.RateDrain >= o.PhaseTimeout {
			return o, fmt.Errorf("rate duration (%v) plus drain (%v) must be less than the phase timeout (%v)", o.RateDuration, o.RateDrain, o.PhaseTimeout)
		}
	}
	if o.Trickle < 0 {
		return o, fmt.Errorf("trickle must not be negative, got %d", o.Trickle)
	}
	if o.Private && (o.Rooms != 1 || o.Trickle > 0) {
		return o, fmt.Errorf("private needs one room and no trickle, got %d rooms and a trickle of %d", o.Rooms, o.Trickle)
	}
	if o.Trickle > 0 {
		if o.Rooms != 1 {
			return o, fmt.Errorf("trickle needs every socket in general (rooms 1), got %d rooms", o.Rooms)
		}
		if o.TrickleEvery <= 0 || time.Duration(o.Trickle)*o.TrickleEvery >= o.PhaseTimeout {
			return o, fmt.Errorf("trickle interval (%v) must be positive, and %d of them less than the phase timeout (%v)", o.TrickleEvery, o.Trickle, o.PhaseTimeout)
		}
	}
	if o.PhaseTimeout <= 0 {
		return o, fmt.Errorf("phase timeout must be positive, got %v", o.PhaseTimeout)
	}
	if o.Hold < 0 || o.Hold >= o.PhaseTimeout {
		return o, fmt.Errorf("hold (%v) must be at least 0 and less than the phase timeout (%v)", o.Hold, o.PhaseTimeout)
	}
	if o.RunID == "" {
		id, err := newRunID()
		if err != nil {
			return o, err
		}
		o.RunID = id
	}
	if err := o.checkRoomNames(); err != nil {
		return o, err
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	return o, nil
}

// checkRoomNames checks that the run ID makes valid room names; the last
// room's is the longest.
func (o Options) checkRoomNames() error {
	if o.Rooms == 1 {
		return nil
	}
	if err := checkRoomName(roomName(o.RunID, o.Rooms-1, o.Rooms)); err != nil {
		return fmt.Errorf("run ID %q with %d rooms: %w", o.RunID, o.Rooms, err)
	}
	return nil
}

// parseAllEndpoints parses the comma-separated base URLs of rawURLs.
func parseAllEndpoints(rawURLs string, allowRemote bool) ([]endpoints, error) {
	var all []endpoints
	for _, raw := range strings.Split(rawURLs, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			return nil, fmt.Errorf("url %q: an empty URL among the comma-separated ones", rawURLs)
		}
		ends, err := parseEndpoints(raw, allowRemote)
		if err != nil {
			return nil, err
		}
		for _, e := range all {
			if e.origin == ends.origin {
				return nil, fmt.Errorf("url %q: %s is given twice", rawURLs, e.origin)
			}
		}
		all = append(all, ends)
	}
	return all, nil
}

// joinBases lists the endpoints' base URLs, comma-separated.
func joinBases(all []endpoints) string {
	bases := make([]string, len(all))
	for i, e := range all {
		bases[i] = e.base.String()
	}
	return strings.Join(bases, ",")
}

// parseEndpoints checks that rawURL is http(s), and loopback unless
// allowRemote, and derives the origin and websocket URL from it.
func parseEndpoints(rawURL string, allowRemote bool) (endpoints, error) {
	base, err := url.Parse(rawURL)
	if err != nil {
		return endpoints{}, fmt.Errorf("parse url %q: %w", rawURL, err)
	}
	var wsScheme string
	switch base.Scheme {
	case "http":
		wsScheme = "ws"
	case "https":
		wsScheme = "wss"
	default:
		return endpoints{}, fmt.Errorf("url %q: scheme must be http or https", rawURL)
	}
	if base.Host == "" {
		return endpoints{}, fmt.Errorf("url %q has no host", rawURL)
	}
	if !allowRemote && !isLoopback(base.Hostname()) {
		return endpoints{}, fmt.Errorf("url %q is not loopback (127.0.0.0/8, ::1, localhost); pass -allow-remote to load another machine", rawURL)
	}
	ws := url.URL{Scheme: wsScheme, Host: base.Host, Path: "/ws"}
	return endpoints{
		base:   &url.URL{Scheme: base.Scheme, Host: base.Host},
		origin: base.Scheme + "://" + base.Host,
		ws:     ws.String(),
	}, nil
}

// isLoopback reports whether host is a loopback IP or localhost; names
// are not resolved.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func newRunID() (string, error) {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", errors.New("pick a run ID: " + err.Error())
	}
	return hex.EncodeToString(b[:]), nil
}
