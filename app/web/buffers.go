package web

import "sync"

// writeBufferPool shares websocket write buffers between sockets: an idle
// socket then holds none, which matters at thousands of sockets.
var writeBufferPool = &sync.Pool{}
