package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hanavault/hanavault/internal/report"
	"github.com/hanavault/hanavault/internal/steps"
)

// ApplyOptions are apply's flags.
type ApplyOptions struct {
	File string
	Yes  bool
	JSON bool
}

// NewCmdApply builds `hanavault apply`.
func NewCmdApply(f *Factory, g *GlobalOptions, runF func(context.Context, *ApplyOptions) error) *cobra.Command {
	opts := &ApplyOptions{}
	cmd := &cobra.Command{
		Use:   "apply -f landscape.yaml",
		Short: "Create or update the landscape in both regions",
		Long: `Show the plan, ask for confirmation, then converge the landscape: keys,
buckets, policies, logging, lifecycle, the replication role and replication,
as a dependency graph with bounded concurrency and retries for AWS's
eventual consistency. Every change is journaled before it is made.

Without --yes, apply asks on the terminal; without a terminal it refuses
(exit 2). Progress goes to standard error, one line per step; with --json,
standard output carries the plan, every event and the result as JSON lines.

Ctrl+C (SIGINT) or SIGTERM stops after the calls in flight: run apply again
to resume where it stopped (exit 130).`,
		Example: `  hanavault apply -f landscape.yaml
  hanavault apply -f landscape.yaml --yes --json > apply.ndjson`,
		Args: noArgs("pass the landscape file with -f"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireFlag(opts.File, "--file", "-f landscape.yaml, or -f - for standard input"); err != nil {
				return err
			}
			if !opts.Yes && (!f.IO.CanPrompt() || opts.File == "-") {
				return usageErrorf("apply changes AWS and needs a confirmation, but there is no terminal to ask on: review the plan (hanavault plan -f %s), then rerun with --yes", opts.File)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return applyRun(cmd.Context(), f, g, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.File, "file", "f", "", "landscape file (- for standard input, needs --yes)")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "apply without asking for confirmation")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write the plan, events and result to standard output as JSON lines (see docs/json.md)")
	return cmd
}

func applyRun(ctx context.Context, f *Factory, g *GlobalOptions, opts *ApplyOptions) error {
	ios := f.IO
	l, err := readLandscape(ctx, ios, opts.File)
	if err != nil {
		return err
	}
	s, err := open(ctx, f, g)
	if err != nil {
		return err
	}
	p, err := makePlan(ctx, s.Engine, l)
	if err != nil {
		return err
	}
	if opts.JSON {
		if err := report.WriteJSONLine(ios.Out, report.NewPlanLine(p)); err != nil {
			return err
		}
	} else if err := writePlan(f, p, l); err != nil {
		return err
	}
	if !pending(p) {
		fmt.Fprintf(ios.ErrOut, "Nothing to do: landscape %s is up to date.\n", l.SID)
		return nil
	}
	if !opts.Yes {
		question := fmt.Sprintf("\nApply these changes to account %s? Type yes to continue: ", p.Identity.Account)
		answer, err := ask(ctx, ios.ErrOut, ios.In, question)
		if err != nil {
			return err
		}
		if answer != "yes" {
			fmt.Fprintln(ios.ErrOut, "Apply cancelled: nothing was changed.")
			return silent(ErrCancelled)
		}
	}
	return runOperation(ctx, f, operation{
		name: "apply", sid: l.SID, json: opts.JSON,
		resume: fmt.Sprintf("hanavault apply -f %s%s", shellQuote(opts.File), g.hintFlags()), flags: g.hintFlags(),
		run: func(sink steps.Sink) (*steps.Result, error) { return s.Engine.Apply(ctx, l, sink) },
	})
}

// operation is an apply or destroy run as the CLI drives it.
type operation struct {
	name   string // apply | destroy
	sid    string
	json   bool
	resume string // the command that resumes an interrupted run
	flags  string // GlobalOptions.hintFlags, for the commands it suggests
	run    func(steps.Sink) (*steps.Result, error)
}

// runOperation streams the engine's events (text on stderr, or JSON lines
// on stdout), prints the result and maps interruption and failures to
// errors.
func runOperation(ctx context.Context, f *Factory, op operation) error {
	ios := f.IO
	errw := &lockedWriter{w: ios.ColorErrOut()}
	var sink steps.Sink
	if op.json {
		sink = report.NewJSONSink(ios.Out)
	} else {
		sink = report.NewTextSink(errw, errTheme(ios))
	}
	noticed := make(chan struct{})
	stopNotice := context.AfterFunc(ctx, func() {
		defer close(noticed)
		fmt.Fprintln(errw, "Interrupted: finishing the AWS calls in flight, then stopping. Press Ctrl+C again to quit at once.")
	})
	res, err := op.run(sink)
	if !stopNotice() {
		<-noticed // the notice is being written: let it finish first
	}
	interrupted := ctx.Err() != nil

	if op.json {
		if werr := report.WriteJSONLine(ios.Out, report.NewResultLine(op.name, res, interrupted, err)); werr != nil && err == nil {
			err = werr
		}
	} else if res != nil {
		if _, werr := io.WriteString(ios.ColorOut(), "\n"+report.RenderResult(res, op.name, outTheme(ios), ios.TerminalWidth())); werr != nil && err == nil {
			err = werr
		}
	}
	if interrupted {
		journal := "The journal"
		if res != nil && res.JournalPath != "" {
			journal = "The journal " + res.JournalPath
		}
		fmt.Fprintf(errw, "Interrupted. %s records what was done; run `%s` again to resume.\n", journal, op.resume)
		switch {
		case err == nil:
			err = ErrInterrupted
		case !errors.Is(err, ErrInterrupted):
			err = fmt.Errorf("%w: %w", ErrInterrupted, err)
		}
		return silent(fmt.Errorf("%s %s: %w", op.name, op.sid, err))
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", op.name, op.sid, err)
	}
	if res != nil && res.Failed > 0 {
		return fmt.Errorf("%s %s: %d of %d steps failed (see the failed steps above); fix the cause and run `%s` again",
			op.name, op.sid, res.Failed, res.Succeeded+res.Failed+res.Skipped, op.resume)
	}
	if op.name == "apply" && !op.json {
		fmt.Fprintf(ios.ColorOut(), "Next: point AWS Backint Agent on the HANA hosts at it; `hanavault backint %s%s` prints the settings.\n", op.sid, op.flags)
	}
	return nil
}
