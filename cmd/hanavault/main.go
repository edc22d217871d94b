// Command hanavault gives an SAP HANA system encrypted, replicated offsite
// backup storage on AWS. Without arguments it opens the interactive
// wizard; `hanavault --help` lists the commands for scripts and CI.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/hanavault/hanavault/cmd/hanavault/cli"
	"github.com/hanavault/hanavault/internal/iostreams"
)

// Set by the release build (goreleaser ldflags).
var (
	version = "dev"
	commit  = ""
	date    = ""
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal the engine finishes the calls in flight; a
	// second one falls through to the default handler and ends the process.
	context.AfterFunc(ctx, stop)
	f := cli.NewFactory(iostreams.System(), cli.BuildInfo{Version: version, Commit: commit, Date: date})
	err := cli.Run(ctx, f, os.Args[1:])
	stop()
	os.Exit(cli.ExitCode(err))
}
