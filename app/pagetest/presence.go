// Package pagetest does to a page what htmx's ws extension does with the
// frames Parley sends, for the parts tests read, so that a test sees what
// a person would see rather than grepping frames: the count and the
// online list, changed piece by piece.
package pagetest

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Person is one entry of a page's online list.
type Person struct {
	// ID is the element's id (online-42).
	ID string
	// Name is the person's display name; HTML is the whole <li>, badges
	// and all.
	Name string
	HTML string
}

// Presence is a page's count and online list.
type Presence struct {
	// Count is the number in "N users online", -1 until a frame said it.
	Count int
	// Listed are the people the list names, in order.
	Listed []Person
	// More is the text of "and N more", empty while it is hidden.
	More string
}

// NewPresence is a page that has shown no presence yet.
func NewPresence() *Presence { return &Presence{Count: -1} }

// Names are the names of the people listed, in order.
func (p *Presence) Names() []string {
	names := make([]string, len(p.Listed))
	for i, l := range p.Listed {
		names[i] = l.Name
	}
	return names
}

// ApplyAll applies frames in order and returns the first error.
func (p *Presence) ApplyAll(frames []string) error {
	for _, f := range frames {
		if err := p.Apply(f); err != nil {
			return err
		}
	}
	return nil
}

// Apply does to the page what htmx does with one websocket frame, for the
// count and the online list; it ignores every other element. It returns
// an error where htmx would log one: a swap whose target the page lacks,
// or a list that names one person twice.
func (p *Presence) Apply(frame string) error {
	nodes, err := html.ParseFragment(strings.NewReader(frame), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return fmt.Errorf("pagetest: parse frame: %w", err)
	}
	for _, n := range nodes {
		if n.Type != html.ElementNode {
			continue
		}
		if err := p.swap(n); err != nil {
			return fmt.Errorf("pagetest: %w in frame %.300q", err, frame)
		}
	}
	return nil
}

// swap applies one top-level element of a frame, as the ws extension
// swaps each out of band.
func (p *Presence) swap(n *html.Node) error {
	oob, id := attr(n, "hx-swap-oob"), attr(n, "id")
	if oob == "" {
		oob = "true"
	}
	style, target, _ := strings.Cut(oob, ":")
	switch {
	case id == "num-users" && (style == "true" || style == "outerHTML" || style == "innerHTML"):
		return p.setCount(text(n))
	case id == "online-users" && (style == "true" || style == "outerHTML"):
		return p.replaceList(n)
	case id == "online-more" && (style == "true" || style == "outerHTML"):
		p.More = visibleText(n)
	case style == "delete":
		return p.remove(target)
	case style == "beforebegin":
		return p.insert(n, strings.TrimSpace(target))
	}
	return nil
}

var countText = regexp.MustCompile(`^(\d+) (users? online|usuarios? en línea)$`)

func (p *Presence) setCount(s string) error {
	m := countText.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return fmt.Errorf("#num-users says %q", s)
	}
	p.Count, _ = strconv.Atoi(m[1])
	return nil
}

// replaceList takes a whole #online-users.
func (p *Presence) replaceList(ul *html.Node) error {
	p.Listed, p.More = nil, ""
	for li := range ul.ChildNodes() {
		if li.Type != html.ElementNode {
			continue
		}
		if attr(li, "id") == "online-more" {
			p.More = visibleText(li)
			continue
		}
		if err := p.add(len(p.Listed), li); err != nil {
			return err
		}
	}
	return nil
}

// remove deletes the listed people a selector list names; selectors of
// other elements (#msg-3) are someone else's business.
func (p *Presence) remove(selectors string) error {
	for _, sel := range strings.Split(selectors, ",") {
		id, ok := strings.CutPrefix(strings.TrimSpace(sel), "#")
		if !ok || !strings.HasPrefix(id, "online-") {
			continue
		}
		i := p.index(id)
		if i < 0 {
			return fmt.Errorf("delete of #%s, which the list lacks", id)
		}
		p.Listed = slices.Delete(p.Listed, i, i+1)
	}
	return nil
}

// insert puts the <li> children of n before the element target names.
func (p *Presence) insert(n *html.Node, target string) error {
	id, ok := strings.CutPrefix(target, "#")
	if !ok || !strings.HasPrefix(id, "online-") {
		return nil
	}
	at := len(p.Listed)
	if id != "online-more" {
		if at = p.index(id); at < 0 {
			return fmt.Errorf("insert before #%s, which the list lacks", id)
		}
	}
	for li := range n.ChildNodes() {
		if li.Type != html.ElementNode {
			continue
		}
		if err := p.add(at, li); err != nil {
			return err
		}
		at++
	}
	return nil
}

func (p *Presence) add(at int, li *html.Node) error {
	id := attr(li, "id")
	if li.DataAtom != atom.Li || id == "" {
		return fmt.Errorf("online list entry %s without an id", li.Data)
	}
	if p.index(id) >= 0 {
		return fmt.Errorf("#%s listed twice", id)
	}
	var b strings.Builder
	if err := html.Render(&b, li); err != nil {
		return err
	}
	name := ""
	if c := li.FirstChild; c != nil && c.Type == html.TextNode {
		name = strings.TrimSpace(c.Data)
	}
	p.Listed = slices.Insert(p.Listed, at, Person{ID: id, Name: name, HTML: b.String()})
	return nil
}

func (p *Presence) index(id string) int {
	return slices.IndexFunc(p.Listed, func(l Person) bool { return l.ID == id })
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// hasAttr reports whether n carries the attribute, whatever its value.
func hasAttr(n *html.Node, key string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == key })
}

func visibleText(n *html.Node) string {
	if hasAttr(n, "hidden") {
		return ""
	}
	return text(n)
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.TrimSpace(b.String())
}
