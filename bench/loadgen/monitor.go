package main

import (
	"fmt"
	"os"
)

// checkpoint names the moments at which resources are sampled.
type checkpoint int

const (
	atStart checkpoint = iota
	afterSignIn
	afterRooms // after creating the rooms, when there are several
	afterStorm
	afterBroadcast
	afterLeave
	checkpointCount
)

// monitor samples the server's resources (when its PID is known) and the
// generator's own at each checkpoint.
type monitor struct {
	server        *procReader // nil without a server PID
	self          procReader
	serverSamples [checkpointCount]procSample
	selfSamples   [checkpointCount]procSample
}

func newMonitor(serverPID int) *monitor {
	m := &monitor{self: newProcReader(os.Getpid())}
	if serverPID > 0 {
		server := newProcReader(serverPID)
		m.server = &server
	}
	return m
}

// sample records the resources at checkpoint at.
func (m *monitor) sample(at checkpoint) error {
	if m.server != nil {
		s, err := m.server.sample()
		if err != nil {
			return fmt.Errorf("sample server (pid %d): %w", m.server.pid, err)
		}
		m.serverSamples[at] = s
	}
	s, err := m.self.sample()
	if err != nil {
		return fmt.Errorf("sample the load generator: %w", err)
	}
	m.selfSamples[at] = s
	return nil
}

// serverResources summarizes the server's samples; nil without a PID.
func (m *monitor) serverResources(sockets int) *Resources {
	if m.server == nil {
		return nil
	}
	r := summarize(*m.server, m.serverSamples, sockets)
	return &r
}

// selfResources summarizes the generator's own samples.
func (m *monitor) selfResources(sockets int) Resources {
	return summarize(m.self, m.selfSamples, sockets)
}

func summarize(p procReader, s [checkpointCount]procSample, sockets int) Resources {
	cpuBetween := func(from, to checkpoint) float64 { return p.seconds(s[to].CPUTicks - s[from].CPUTicks) }
	peak := int64(0)
	for _, sample := range s {
		peak = max(peak, sample.PeakRSSBytes)
	}
	return Resources{
		PID: p.pid,
		CPUSeconds: PhaseNumbers{
			SignIn:    cpuBetween(atStart, afterSignIn),
			Rooms:     cpuBetween(afterSignIn, afterRooms),
			Storm:     cpuBetween(afterRooms, afterStorm),
			Broadcast: cpuBetween(afterStorm, afterBroadcast),
			Leave:     cpuBetween(afterBroadcast, afterLeave),
			Total:     cpuBetween(atStart, afterLeave),
		},
		RSSBytes: RSSSamples{
			Start:          s[atStart].RSSBytes,
			AfterSignIn:    s[afterSignIn].RSSBytes,
			AfterRooms:     s[afterRooms].RSSBytes,
			AfterStorm:     s[afterStorm].RSSBytes,
			AfterBroadcast: s[afterBroadcast].RSSBytes,
			AfterLeave:     s[afterLeave].RSSBytes,
		},
		PeakRSSBytes:      peak,
		RSSPerSocketBytes: roundTo(float64(s[afterStorm].RSSBytes-s[afterRooms].RSSBytes)/float64(sockets), 1),
	}
}
