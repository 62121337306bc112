// Package instance keeps one PSOP Desk at a time on a cache folder and
// lets a second launch hand over to the first (issue 9): the holder
// listens on a loopback TCP port and writes the port, a random token and
// what it is (a window or a headless sync) to a file in the cache folder;
// a second launch reads the file, connects, and asks the holder to show
// its window, or learns that a sync run holds the folder. Loopback TCP
// with a token file works the same on Linux, macOS and Windows.
//
// The cache's own lock (bbolt's on cache.db) stays the guard against two
// writers; this package only makes the second launch's answer precise.
package instance

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Kind is what holds a cache folder.
type Kind string

// Kinds of holder.
const (
	// Window: the desktop program; it brings its window forward when asked.
	Window Kind = "window"
	// Sync: a headless command (psopdesk sync); it shows nothing.
	Sync Kind = "sync"
)

// FileName is the holder's file in the cache folder.
const FileName = "instance.json"

// ErrNoHolder: no running program holds the folder (no file, or its
// program no longer answers).
var ErrNoHolder = errors.New("instance: no running program holds the cache folder")

// wait bounds each step of a handover on loopback (connect, one line each
// way), so that a stale file of a crashed program is told at once and a
// hung holder never hangs the second launch for long.
const wait = 3 * time.Second

// record is the file's content. The token proves to the holder that the
// asker can read the cache folder (the file is 0600).
type record struct {
	Port  int    `json:"port"`
	Token string `json:"token"`
	Kind  Kind   `json:"kind"`
	PID   int    `json:"pid"`
}

// Holder is this process holding a cache folder: it answers second
// launches until Close.
type Holder struct {
	ln    net.Listener
	path  string
	rec   record
	onAsk func()
	done  chan struct{}
}

// Listen makes this process the holder of the cache folder dir as kind:
// it listens on 127.0.0.1 (a free port) and writes dir/FileName (mode
// 0600, replaced whole). onShow, when not nil, is called on the holder's
// own goroutine each time a second launch asks to be shown (a window hands
// it to the UI goroutine). Call it after the cache is open, so the file
// always names the program that holds the cache.
func Listen(dir string, kind Kind, onShow func()) (*Holder, error) {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("instance: listen: %w", err)
	}
	h := &Holder{ln: ln, path: filepath.Join(dir, FileName), onAsk: onShow, done: make(chan struct{}),
		rec: record{Port: ln.Addr().(*net.TCPAddr).Port, Token: hex.EncodeToString(raw[:]), Kind: kind, PID: os.Getpid()}}
	if err := writeRecord(h.path, h.rec); err != nil {
		ln.Close()
		return nil, err
	}
	go h.serve()
	return h, nil
}

// writeRecord writes rec to path through a temporary file and a rename,
// so that a reader never sees half a file.
func writeRecord(path string, rec record) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("instance: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("instance: %w", err)
	}
	return nil
}

func (h *Holder) serve() {
	for {
		conn, err := h.ln.Accept()
		if err != nil {
			select {
			case <-h.done:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			slog.Warn("instance: accept failed", "err", err)
			return
		}
		go h.answer(conn)
	}
}

// answer reads "TOKEN show" and replies with the holder's kind; a wrong
// token gets nothing.
func (h *Holder) answer(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(wait))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return
	}
	token, verb, _ := strings.Cut(strings.TrimSpace(line), " ")
	if subtle.ConstantTimeCompare([]byte(token), []byte(h.rec.Token)) != 1 || verb != "show" {
		slog.Warn("instance: a request without the right token was ignored")
		return
	}
	if _, err := conn.Write([]byte(string(h.rec.Kind) + "\n")); err != nil {
		return
	}
	if h.rec.Kind == Window && h.onAsk != nil {
		slog.Info("instance: another launch asked for the window")
		h.onAsk()
	}
}

// Close stops answering and removes the file if it is still this
// holder's.
func (h *Holder) Close() error {
	select {
	case <-h.done:
		return nil
	default:
	}
	close(h.done)
	err := h.ln.Close()
	if rec, rerr := readRecord(h.path); rerr == nil && rec.Token == h.rec.Token {
		err = errors.Join(err, os.Remove(h.path))
	}
	return err
}

func readRecord(path string) (record, error) {
	var rec record
	b, err := os.ReadFile(path)
	if err != nil {
		return rec, err
	}
	err = json.Unmarshal(b, &rec)
	return rec, err
}

// Signal asks the program holding the cache folder dir, if any, to show
// its window, and gives what it is: Window (it has been asked to come
// forward) or Sync (a headless run; it shows nothing). ErrNoHolder when
// no program answers: no file, or one left by a program that has ended.
func Signal(dir string) (Kind, error) {
	rec, err := readRecord(filepath.Join(dir, FileName))
	if err != nil || rec.Port <= 0 || rec.Token == "" {
		return "", ErrNoHolder
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(rec.Port)), wait)
	if err != nil {
		return "", ErrNoHolder
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(wait))
	if _, err := conn.Write([]byte(rec.Token + " show\n")); err != nil {
		return "", ErrNoHolder
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "", ErrNoHolder
	}
	switch k := Kind(strings.TrimSpace(line)); k {
	case Window, Sync:
		return k, nil
	}
	return "", ErrNoHolder
}
