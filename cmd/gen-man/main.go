// Command gen-man writes hanavault's man pages, one per command, from the
// cobra commands and their help: `go run ./cmd/gen-man DIR` (default
// ./man). The release build runs it and ships the pages in its archives
// and packages.
package main

import (
	"fmt"
	"os"

	"github.com/hanavault/hanavault/cmd/hanavault/cli"
)

func main() {
	dir := "man"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := cli.ManPages(dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen-man:", err)
		os.Exit(1)
	}
}
