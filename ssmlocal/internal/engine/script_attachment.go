package engine

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Bounds of an attachment: a zip cannot fill the disk or escape its
// directory, whatever its headers claim. Variables so tests can lower them.
var (
	maxAttachmentBytes int64 = 64 << 20 // the attachment file, and everything extracted from it
	maxAttachmentFiles       = 1000
)

// resolveAttachment finds the attachment named by the step in dir and
// lays it out under dest: a .zip is extracted into dest, any other file is
// copied into dest under its name. It returns the directory the script
// imports from. When the document declares the attachment's sha256, the
// file must match it, as AWS checks an attachment against its declaration.
func resolveAttachment(dir, name, sha string, dest string) (string, error) {
	if dir == "" {
		return "", scriptRefused("AttachmentNotFound", "the step uses attachment %q, and the local endpoint has no attachments directory: "+
			"set ssmlocal.Options.AttachmentsDir (ssmdelegate local --attachments DIR) to a directory holding it", name)
	}
	if name != filepath.Base(name) || !filepath.IsLocal(name) || strings.ContainsAny(name, `/\`) {
		return "", inputErr("input Attachment %q must name a file, not a path", name)
	}
	src := filepath.Join(dir, name)
	fi, err := os.Stat(src)
	if err != nil || !fi.Mode().IsRegular() {
		return "", scriptRefused("AttachmentNotFound", "attachment %q is not a file in the attachments directory %s", name, dir)
	}
	if fi.Size() > maxAttachmentBytes {
		return "", scriptRefused("AttachmentTooLarge", "attachment %q is %d bytes, more than the %d MiB the local endpoint reads", name, fi.Size(), maxAttachmentBytes>>20)
	}
	if sha != "" {
		got, err := fileSHA256(src)
		if err != nil {
			return "", scriptRefused("AttachmentUnreadable", "attachment %q cannot be read: %v", name, err)
		}
		if got != sha {
			return "", scriptRefused("AttachmentChecksumMismatch", "attachment %q in %s has sha256 %s, and the document declares %s", name, dir, got, sha)
		}
	}
	if err := os.MkdirAll(dest, 0o700); err != nil {
		return "", err
	}
	if !strings.EqualFold(filepath.Ext(name), ".zip") {
		out := filepath.Join(dest, name)
		if err := copyBounded(src, out); err != nil {
			return "", scriptRefused("AttachmentUnreadable", "attachment %q cannot be read: %v", name, err)
		}
		return dest, nil
	}
	if err := extractZip(src, dest); err != nil {
		return "", scriptRefused("AttachmentUnreadable", "attachment %q cannot be extracted: %v", name, err)
	}
	return dest, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(f, maxAttachmentBytes)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func copyBounded(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, io.LimitReader(in, maxAttachmentBytes)); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

var errZipBounds = errors.New("zip bounds")

// extractZip extracts src into dest through an os.Root, so no entry
// (../x, an absolute path, a link) lands outside it; it stops at
// maxAttachmentFiles entries and maxAttachmentBytes bytes actually
// written.
func extractZip(src, dest string) error {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return err
	}
	defer zr.Close()
	if len(zr.File) > maxAttachmentFiles {
		return fmt.Errorf("it holds %d entries, more than %d", len(zr.File), maxAttachmentFiles)
	}
	root, err := os.OpenRoot(dest)
	if err != nil {
		return err
	}
	defer root.Close()
	budget := maxAttachmentBytes
	for _, f := range zr.File {
		name := f.Name
		if !filepath.IsLocal(filepath.FromSlash(name)) || strings.Contains(name, `\`) {
			return fmt.Errorf("entry %q is not a relative path inside the archive", name)
		}
		mode := f.Mode()
		switch {
		case mode.IsDir():
			if err := root.MkdirAll(filepath.FromSlash(strings.TrimSuffix(name, "/")), 0o700); err != nil {
				return err
			}
			continue
		case !mode.IsRegular():
			return fmt.Errorf("entry %q is not a regular file", name)
		}
		if d := filepath.Dir(filepath.FromSlash(name)); d != "." {
			if err := root.MkdirAll(d, 0o700); err != nil {
				return err
			}
		}
		n, err := extractEntry(root, f, budget)
		if errors.Is(err, errZipBounds) {
			return fmt.Errorf("it expands to more than %d MiB", maxAttachmentBytes>>20)
		}
		if err != nil {
			return fmt.Errorf("entry %q: %w", name, err)
		}
		budget -= n
	}
	return nil
}

func extractEntry(root *os.Root, f *zip.File, budget int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	out, err := root.OpenFile(filepath.FromSlash(f.Name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, fs.FileMode(0o600))
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, io.LimitReader(rc, budget+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	if n > budget {
		return n, errZipBounds
	}
	return n, nil
}
