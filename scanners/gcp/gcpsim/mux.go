package gcpsim

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"sync"
	"time"
)

// http2Preface starts every HTTP/2 connection with prior knowledge, which
// is how gRPC speaks over plaintext.
var http2Preface = []byte("PRI * HTTP/2.0")

// muxListener accepts connections on one listener and hands each to the
// gRPC or the HTTP/1.1 listener by its first bytes.
type muxListener struct {
	root       net.Listener
	grpc, http *chanListener
}

func newMux(root net.Listener) *muxListener {
	done := make(chan struct{})
	var once sync.Once
	closeFn := func() { once.Do(func() { close(done) }) }
	return &muxListener{
		root: root,
		grpc: &chanListener{addr: root.Addr(), conns: make(chan net.Conn), done: done, close: closeFn},
		http: &chanListener{addr: root.Addr(), conns: make(chan net.Conn), done: done, close: closeFn},
	}
}

func (m *muxListener) serve() {
	for {
		c, err := m.root.Accept()
		if err != nil {
			m.grpc.close()
			return
		}
		go m.route(c)
	}
}

func (m *muxListener) route(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	head, err := br.Peek(len(http2Preface))
	_ = c.SetReadDeadline(time.Time{})
	if err != nil && len(head) == 0 {
		_ = c.Close()
		return
	}
	conn := &peekedConn{Conn: c, r: br}
	to := m.http
	if bytes.Equal(head, http2Preface) {
		to = m.grpc
	}
	select {
	case to.conns <- conn:
	case <-to.done:
		_ = c.Close()
	}
}

// Close stops accepting connections.
func (m *muxListener) Close() error {
	m.grpc.close()
	return m.root.Close()
}

type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(b []byte) (int, error) { return c.r.Read(b) }

type chanListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	close func()
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, errors.New("gcpsim: listener closed")
	}
}

func (l *chanListener) Close() error   { l.close(); return nil }
func (l *chanListener) Addr() net.Addr { return l.addr }
