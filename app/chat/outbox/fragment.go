package outbox

import "github.com/fasthttp/websocket"

// Fragment is one rendered HTML fragment, ready for every socket that
// gets it: framed once (pm), for a socket that has nothing else to write,
// and kept raw (html), so that a socket with several fragments waiting
// can write them all as one websocket message.
type Fragment struct {
	pm   *websocket.PreparedMessage
	html []byte
}

// NewFragment frames html once; html must not change afterwards.
func NewFragment(html []byte) (*Fragment, error) {
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, html)
	if err != nil {
		return nil, err
	}
	return &Fragment{pm: pm, html: html}, nil
}
