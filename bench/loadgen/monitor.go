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

// monitor samples the server's resources (when its PIDs are known: one
// per instance) and the generator's own at each checkpoint.
type monitor struct {
	servers       []procReader // none without server PIDs
	self          procReader
	serverSamples [][checkpointCount]procSample // per server
	selfSamples   [checkpointCount]procSample
}

func newMonitor(serverPIDs []int) *monitor {
	m := &monitor{self: newProcReader(os.Getpid())}
	for _, pid := range serverPIDs {
		m.servers = append(m.servers, newProcReader(pid))
	}
	m.serverSamples = make([][checkpointCount]procSample, len(m.servers))
	return m
}

// sample records the resources at checkpoint at.
func (m *monitor) sample(at checkpoint) error {
	for i, server := range m.servers {
		s, err := server.sample()
		if err != nil {
			return fmt.Errorf("sample server (pid %d): %w", server.pid, err)
		}
		m.serverSamples[i][at] = s
	}
	s, err := m.self.sample()
	if err != nil {
		return fmt.Errorf("sample the load generator: %w", err)
	}
	m.selfSamples[at] = s
	return nil
}

// serverResources summarizes the server's samples; nil without a PID.
// With several instances it is their sum: CPU seconds and memory added
// up, as one server of N processes; its PID is the first one's.
func (m *monitor) serverResources(sockets int) *Resources {
	if len(m.servers) == 0 {
		return nil
	}
	var sum [checkpointCount]procSample
	for _, samples := range m.serverSamples {
		for at, s := range samples {
			sum[at].CPUTicks += s.CPUTicks
			sum[at].RSSBytes += s.RSSBytes
			sum[at].PeakRSSBytes += s.PeakRSSBytes
		}
	}
	r := summarize(m.servers[0], sum, sockets)
	return &r
}

// eachServer summarizes each server process's samples on its own.
func (m *monitor) eachServer(sockets int) []Resources {
	var each []Resources
	for i, server := range m.servers {
		each = append(each, summarize(server, m.serverSamples[i], sockets))
	}
	return each
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
