package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra/doc"

	"github.com/hanavault/hanavault/internal/iostreams"
)

// ManPages writes a man page (section 1) for hanavault and each of its
// commands into dir, from the same text as --help.
func ManPages(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create the man page directory: %w", err)
	}
	ios, _, _, _ := iostreams.Test()
	root, _ := newRoot(&Factory{IO: ios})
	root.DisableAutoGenTag = true   // no date: the pages are reproducible
	root.InitDefaultCompletionCmd() // cobra adds it only when it runs
	header := &doc.GenManHeader{Title: "HANAVAULT", Section: "1", Source: "hanavault", Manual: "hanavault manual"}
	if err := doc.GenManTree(root, header, dir); err != nil {
		return fmt.Errorf("write the man pages to %s: %w", dir, err)
	}
	return nil
}
