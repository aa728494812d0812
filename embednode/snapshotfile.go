package embednode

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Why a file is no snapshot at all, found before any other check: the sha256 check's verdicts
// ("truncated", "no trailer: use --skip-hash-check") are wrong advice for a directory, a FIFO,
// an empty file or random bytes.
var (
	// ErrNotRegular: a directory, FIFO, device or socket (opening a FIFO would block).
	ErrNotRegular = errors.New("not a regular file")
	// ErrEmptyFile: zero bytes.
	ErrEmptyFile = errors.New("empty file")
	// ErrNoBoltHeader: the first page is not a bbolt meta page.
	ErrNoBoltHeader = errors.New("not an etcd snapshot (no bbolt header)")
)

// boltMagic is the number bbolt writes in both meta pages; the first sits at offset 16 of the
// file, after the page header (id 8 bytes, flags 2, count 2, overflow 4), in the writer's byte
// order.
const boltMagic = 0xED0CDAED

// CheckSnapshotFile says whether path can be a snapshot at all: a regular, non-empty file that
// starts with a bbolt meta page. It stats before it opens, so a FIFO is never opened.
func CheckSnapshotFile(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	if info.Size() == 0 {
		return fmt.Errorf("%s: %w", path, ErrEmptyFile)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 20)
	if _, err := io.ReadFull(f, head); err != nil {
		return fmt.Errorf("%s: %w", path, ErrNoBoltHeader)
	}
	magic := head[16:20]
	if binary.LittleEndian.Uint32(magic) != boltMagic && binary.BigEndian.Uint32(magic) != boltMagic {
		return fmt.Errorf("%s: %w", path, ErrNoBoltHeader)
	}
	return nil
}
