// Command loadgen measures a running Parley (or the floor in bench/floor):
// it signs in users through the real forms, opens websockets spread over
// them (and over rooms it creates, with -rooms), and times the connect
// storm, message broadcast and leave storm, reading the server's CPU and
// memory from /proc. See bench/README.md.
//
//	go run ./bench/loadgen -url http://127.0.0.1:8080 -sockets 1000 -pid $(pgrep -n parley)
//
// Several instances of one chat: -url and -pid repeated, or comma-separated;
// socket i goes to the (i mod N)th URL.
//
//	go run ./bench/loadgen -url http://127.0.0.1:8081,http://127.0.0.1:8082 -pid 1234,1235
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Defaults of the command's flags.
const (
	defaultURL             = "http://127.0.0.1:8080"
	defaultSockets         = 1000
	defaultMessages        = 50
	defaultDialConcurrency = 100
	defaultPhaseTimeout    = 60 * time.Second
	defaultSenders         = 10
	defaultRateDuration    = 20 * time.Second
	defaultRateDrain       = 10 * time.Second
)

func main() {
	opts, asJSON := parseFlags()
	if err := raiseFileLimit(); err != nil {
		fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if opts.Restart {
		result, err := runRestart(ctx, opts)
		if err == nil && asJSON {
			err = writeJSONValue(os.Stdout, result)
		} else if err == nil {
			err = writeRestartTable(os.Stdout, result)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
			os.Exit(1)
		}
		return
	}
	result, err := run(ctx, opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
		os.Exit(1)
	}
	if asJSON {
		err = writeJSON(os.Stdout, result)
	} else {
		err = writeTable(os.Stdout, result)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line into Options and the -json flag.
func parseFlags() (Options, bool) {
	opts := Options{Log: os.Stderr}
	var urls, pids listFlag
	flag.Var(&urls, "url", "the server's base URL (loopback unless -allow-remote); several instances' URLs repeated or comma-separated, sockets round-robin over them (default "+defaultURL+")")
	flag.IntVar(&opts.Users, "users", 0, "users to sign in (K); 0 means one per socket")
	flag.IntVar(&opts.Sockets, "sockets", defaultSockets, "websockets to open (N), round-robin over the users")
	flag.IntVar(&opts.Rooms, "rooms", 1, "rooms (R) to spread the sockets over, socket i in room i mod R; 1 puts every socket in general")
	flag.BoolVar(&opts.Private, "private", false, "one room: a private room of the run's, with every user added as a member, instead of general")
	flag.IntVar(&opts.Messages, "messages", defaultMessages, "messages to time in the broadcast phase (M)")
	flag.IntVar(&opts.DialConcurrency, "dial-concurrency", defaultDialConcurrency, "websocket dials in flight at once")
	flag.DurationVar(&opts.DialSpread, "dial-spread", 0, "start the storm's dials evenly over this long (0: as fast as -dial-concurrency allows)")
	flag.Float64Var(&opts.StalledPercent, "stalled-percent", 0, "share of sockets, in percent, that stop reading once they show the final count")
	flag.Float64Var(&opts.Rate, "rate", 0, "rate mode: messages a second, between all senders, instead of one at a time (0: off)")
	flag.IntVar(&opts.Senders, "senders", defaultSenders, "rate mode: sockets of the sender's room that send")
	flag.DurationVar(&opts.RateDuration, "rate-duration", defaultRateDuration, "rate mode: how long the senders send")
	flag.DurationVar(&opts.RateDrain, "rate-drain", defaultRateDrain, "rate mode: how long to wait after the last send for deliveries; later ones are lost")
	flag.DurationVar(&opts.PhaseTimeout, "timeout", defaultPhaseTimeout, "limit for each phase")
	flag.Var(&pids, "pid", "the server's process ID, to read its CPU and RSS from /proc; several instances' repeated or comma-separated")
	flag.BoolVar(&opts.AllowRemote, "allow-remote", false, "allow a URL that is not loopback")
	flag.StringVar(&opts.RunID, "run-id", "", "names users lg-RUNID-i (reuse one to sign in existing users); random when empty")
	flag.IntVar(&opts.Trickle, "trickle", 0, "after the broadcast, this many more people arrive in general one at a time (0: none), each costing the sockets there what -json reports")
	flag.DurationVar(&opts.TrickleEvery, "trickle-every", 100*time.Millisecond, "trickle: time between two arrivals")
	flag.DurationVar(&opts.Hold, "hold", 0, "keep the sockets open and idle this long after the connect storm, before the server's RSS is sampled (for a heap profile)")
	flag.BoolVar(&opts.Restart, "restart", false, "keep the sockets open, wait for the server to be restarted (by a script, see bench/restart.sh), and time until all are back and show the right count")
	asJSON := flag.Bool("json", false, "print one JSON line instead of the table")
	flag.Parse()
	opts.URL = strings.Join(urls, ",")
	if opts.URL == "" {
		opts.URL = defaultURL
	}
	for _, p := range pids {
		pid, err := strconv.Atoi(p)
		if err != nil || pid < 1 {
			fmt.Fprintf(os.Stderr, "loadgen: -pid must be process IDs (positive integers), got %q\n", p)
			os.Exit(2)
		}
		opts.PIDs = append(opts.PIDs, pid)
	}
	return opts, *asJSON
}

// listFlag collects a flag given several times, each time one value or
// several comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part == "" {
			return fmt.Errorf("an empty value in %q", v)
		}
		*l = append(*l, part)
	}
	return nil
}

// raiseFileLimit raises the soft limit on open files to the hard limit:
// every socket is a file.
func raiseFileLimit() error {
	var limit syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &limit); err != nil {
		return fmt.Errorf("read the open-file limit: %w", err)
	}
	if limit.Cur >= limit.Max {
		return nil
	}
	limit.Cur = limit.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &limit); err != nil {
		return fmt.Errorf("raise the open-file limit to %d: %w", limit.Max, err)
	}
	return nil
}
