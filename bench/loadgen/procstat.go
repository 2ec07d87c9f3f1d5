package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Values used to read a process's resources from /proc.
const (
	auxvClockTick    = 17  // AT_CLKTCK in <elf.h>: the clock tick the kernel reports
	defaultClockTick = 100 // USER_HZ on every mainstream Linux architecture
	statUtimeField   = 11  // utime's index among the fields after "(comm) "
	statStimeField   = 12  // stime's index among the fields after "(comm) "
)

// procSample is one reading of a process's CPU time and memory.
type procSample struct {
	CPUTicks     uint64 // user + system time in clock ticks
	RSSBytes     int64  // VmRSS
	PeakRSSBytes int64  // VmHWM: the highest RSS since the process started
}

// procReader reads samples of one process.
type procReader struct {
	pid         int
	ticksPerSec float64
}

func newProcReader(pid int) procReader {
	return procReader{pid: pid, ticksPerSec: clockTicksPerSecond()}
}

// sample reads the process's CPU time (user + system) and its RSS.
func (p procReader) sample() (procSample, error) {
	cpu, err := p.cpuTicks()
	if err != nil {
		return procSample{}, err
	}
	rss, peak, err := p.memory()
	if err != nil {
		return procSample{}, err
	}
	return procSample{CPUTicks: cpu, RSSBytes: rss, PeakRSSBytes: peak}, nil
}

// seconds converts clock ticks to seconds.
func (p procReader) seconds(ticks uint64) float64 { return float64(ticks) / p.ticksPerSec }

func (p procReader) cpuTicks() (uint64, error) {
	path := fmt.Sprintf("/proc/%d/stat", p.pid)
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	// The command name may hold spaces and parentheses: the fields that
	// follow start after its last ')'.
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return 0, fmt.Errorf("parse %s: no ')' after the command name", path)
	}
	fields := strings.Fields(string(data[end+1:]))
	if len(fields) <= statStimeField {
		return 0, fmt.Errorf("parse %s: %d fields, want more than %d", path, len(fields), statStimeField)
	}
	utime, err := strconv.ParseUint(fields[statUtimeField], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse utime in %s: %w", path, err)
	}
	stime, err := strconv.ParseUint(fields[statStimeField], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse stime in %s: %w", path, err)
	}
	return utime + stime, nil
}

// memory returns VmRSS and VmHWM in bytes.
func (p procReader) memory() (rss, peak int64, err error) {
	path := fmt.Sprintf("/proc/%d/status", p.pid)
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	var foundRSS, foundPeak bool
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := scanner.Text()
		switch {
		case strings.HasPrefix(line, "VmRSS:"):
			rss, err = parseKilobytes(line)
			foundRSS = true
		case strings.HasPrefix(line, "VmHWM:"):
			peak, err = parseKilobytes(line)
			foundPeak = true
		}
		if err != nil {
			return 0, 0, fmt.Errorf("parse %s: %w", path, err)
		}
	}
	if err := scanner.Err(); err != nil {
		return 0, 0, fmt.Errorf("read %s: %w", path, err)
	}
	if !foundRSS || !foundPeak {
		return 0, 0, fmt.Errorf("parse %s: no VmRSS or VmHWM (a zombie or kernel thread?)", path)
	}
	return rss, peak, nil
}

// parseKilobytes parses a /proc/PID/status line such as "VmRSS:  1234 kB".
func parseKilobytes(line string) (int64, error) {
	fields := strings.Fields(line)
	if len(fields) != 3 || fields[2] != "kB" {
		return 0, fmt.Errorf("unexpected line %q", line)
	}
	kb, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse %q: %w", line, err)
	}
	return kb * 1024, nil
}

// clockTicksPerSecond returns the unit of the CPU times in /proc/PID/stat,
// sysconf(_SC_CLK_TCK), which the kernel passes to every process in its
// auxiliary vector.
func clockTicksPerSecond() float64 {
	data, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		return defaultClockTick
	}
	const word = strconv.IntSize / 8 // auxv entries are pairs of native words
	readWord := func(b []byte) uint64 {
		if word == 4 {
			return uint64(binary.NativeEndian.Uint32(b))
		}
		return binary.NativeEndian.Uint64(b)
	}
	for i := 0; i+2*word <= len(data); i += 2 * word {
		if readWord(data[i:]) == auxvClockTick {
			if value := readWord(data[i+word:]); value > 0 {
				return float64(value)
			}
		}
	}
	return defaultClockTick
}
