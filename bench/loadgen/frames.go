package main

import (
	"bytes"
	"regexp"
	"strconv"
)

// countPattern finds the user count in a #num-users fragment such as
// <span id="num-users" hx-swap-oob="true">1234 users online</span>, with
// any other attributes around the id, and "1 user online" for one.
var countPattern = regexp.MustCompile(
	`<[A-Za-z][A-Za-z0-9-]*[^>]*\sid=["']num-users["'][^>]*>\s*(\d+)\s+users?\s+online`)

// countMarker is looked for before running countPattern, which most
// frames (messages, notices) do not need.
var countMarker = []byte("num-users")

// parseCount returns the user count a frame shows. A frame may hold
// several fragments; the last count in it wins, as it would in a browser.
func parseCount(frame []byte) (int, bool) {
	if !bytes.Contains(frame, countMarker) {
		return 0, false
	}
	matches := countPattern.FindAllSubmatch(frame, -1)
	if len(matches) == 0 {
		return 0, false
	}
	count, err := strconv.Atoi(string(matches[len(matches)-1][1]))
	if err != nil {
		return 0, false
	}
	return count, true
}
