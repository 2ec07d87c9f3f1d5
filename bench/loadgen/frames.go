package main

import (
	"bytes"
	"regexp"
	"strconv"
)

// countPattern matches a #num-users fragment from its opening tag on, such
// as <span id="num-users" hx-swap-oob="true">1234 users online</span>, with
// any other attributes around the id, and "1 user online" for one.
var countPattern = regexp.MustCompile(
	`^<[A-Za-z][A-Za-z0-9-]*[^>]*\sid=["']num-users["'][^>]*>\s*(\d+)\s+users?\s+online`)

// countMarker is what every #num-users fragment holds; countPattern only
// runs on the tag around it and that tag's text.
var countMarker = []byte("num-users")

// parseCount returns the user count a frame shows. A frame may hold
// several fragments; the last count in it wins, as it would in a browser.
// It runs countPattern only on the tags around each marker, not on the
// whole frame: presence frames are kilobytes long and every socket gets
// them.
func parseCount(frame []byte) (count int, found bool) {
	for from := 0; ; {
		at := bytes.Index(frame[from:], countMarker)
		if at < 0 {
			return count, found
		}
		at += from
		if c, ok := countInTag(frame, at); ok {
			count, found = c, true
		}
		from = at + len(countMarker)
	}
}

// countInTag parses the count of a #num-users fragment whose opening tag
// holds the marker at index at, if it is one: the tag and its text, up
// to the next tag, are all countPattern sees.
func countInTag(frame []byte, at int) (int, bool) {
	start := bytes.LastIndexByte(frame[:at], '<')
	if start < 0 {
		return 0, false
	}
	end := len(frame)
	if tagEnd := bytes.IndexByte(frame[at:], '>'); tagEnd >= 0 {
		if textEnd := bytes.IndexByte(frame[at+tagEnd:], '<'); textEnd >= 0 {
			end = at + tagEnd + textEnd
		}
	}
	match := countPattern.FindSubmatch(frame[start:end])
	if match == nil {
		return 0, false
	}
	count, err := strconv.Atoi(string(match[1]))
	if err != nil {
		return 0, false
	}
	return count, true
}

// noticeOpen and noticeClose frame the join and leave notices a server
// appends to #messages; notices are not presence, so the byte counts keep
// them apart.
var (
	noticeOpen  = []byte(`<div hx-swap-oob="beforeend:#messages"><p class="notice">`)
	noticeClose = []byte(`</div>`)
)

// noticeLength is how many bytes of frame are notices.
func noticeLength(frame []byte) int {
	n := 0
	for from := 0; ; {
		at := bytes.Index(frame[from:], noticeOpen)
		if at < 0 {
			return n
		}
		at += from
		end := bytes.Index(frame[at:], noticeClose)
		if end < 0 {
			return n + len(frame) - at
		}
		n += end + len(noticeClose)
		from = at + end + len(noticeClose)
	}
}

// countElementLength is the length of the first #num-users element of
// frame, from its opening tag to the end of its closing tag, or 0: what a
// count costs by itself.
func countElementLength(frame []byte) int {
	at := bytes.Index(frame, countMarker)
	if at < 0 {
		return 0
	}
	start := bytes.LastIndexByte(frame[:at], '<')
	closing := bytes.Index(frame[at:], []byte("</"))
	if start < 0 || closing < 0 {
		return 0
	}
	end := bytes.IndexByte(frame[at+closing:], '>')
	if end < 0 {
		return 0
	}
	return at + closing + end + 1 - start
}
