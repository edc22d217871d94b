package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/hanavault/hanavault/internal/iostreams"
	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/report"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
	"github.com/hanavault/hanavault/internal/verify"
)

// VerifyOptions are verify's flags.
type VerifyOptions struct {
	SID        string
	Timeout    time.Duration
	ReportDir  string
	KeepCanary bool
	JSON       bool
	FromTags   bool
}

// NewCmdVerify builds `hanavault verify`.
func NewCmdVerify(f *Factory, g *GlobalOptions, runF func(context.Context, *VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify [SID]",
		Short: "Prove end to end that backups are encrypted, replicated and readable in the DR region",
		Long: `Write canary objects into the source bucket the way the AWS Backint Agent
does (an SSE-KMS upload naming the landscape key, and a multipart upload),
confirm the bucket policy's guard rails (an upload without encryption
headers gets the landscape key; AES256, SSE-C, aws:kms without a key ID and
another key are each denied), wait until S3 reports the canaries replicated
(COMPLETED; FAILED ends the wait at once), read each replica back in the
other region (same version ID, the replica key, the same bytes), check the
EC2 backup role's S3 permissions in both regions with the IAM policy
simulator and the key grants of both roles with hanavault's policy
evaluator, and remove every canary version from both buckets, also when
interrupted (the journal records them; the next verify or destroy removes
what is left).

The evidence report is written as Markdown and JSON to --report (default:
the landscape's state directory, evidence/). Progress goes to standard
error; with --json, standard output carries every event and, last, the
report as JSON lines.

Exit status: 0 when every check passed, 3 when one failed (each is named
with its likely cause), 1 on errors, 130 when interrupted.`,
		Example: `  hanavault verify PRD
  hanavault verify PRD --timeout 30m --report ./evidence
  hanavault verify PRD --json > verify.ndjson`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sid, err := sidArg(args)
			if err != nil {
				return err
			}
			opts.SID = sid
			if opts.Timeout <= 0 {
				return usageErrorf("--timeout must be positive, like 15m (got %s)", opts.Timeout)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return verifyRun(cmd.Context(), f, g, opts)
		},
	}
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", verify.DefaultTimeout, "how long to wait for the canary to replicate")
	cmd.Flags().StringVar(&opts.ReportDir, "report", "", "directory for the evidence report (default: <state-dir>/<account>/<SID>/evidence)")
	cmd.Flags().BoolVar(&opts.KeepCanary, "keep-canary", false, "leave this run's canaries in both buckets for inspection (the next verify or destroy removes them)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write events and the report to standard output as JSON lines (see docs/json.md)")
	cmd.Flags().BoolVar(&opts.FromTags, "from-tags", false, "find the landscape by its resources' tags instead of the local state")
	return cmd
}

// verifyInput names the buckets and keys of an applied landscape.
func verifyInput(l spec.Landscape, b *steps.BackintConfig) verify.Input {
	return verify.Input{Landscape: l, Folder: b.Source.Folder,
		Source:  verify.Target{Region: b.Source.Region, Bucket: b.Source.Bucket, KeyARN: b.Source.KMSKeyARN},
		Replica: verify.Target{Region: b.Replica.Region, Bucket: b.Replica.Bucket, KeyARN: b.Replica.KMSKeyARN}}
}

func verifyRun(ctx context.Context, f *Factory, g *GlobalOptions, opts *VerifyOptions) error {
	ios := f.IO
	s, err := open(ctx, f, g)
	if err != nil {
		return err
	}
	l, err := resolveLandscape(ctx, ios, s, "verify", opts.SID, opts.FromTags)
	if err != nil {
		return err
	}
	b, err := s.Engine.Backint(ctx, l)
	if err != nil {
		return fmt.Errorf("read the buckets and keys of landscape %s: %w", l.SID, err)
	}
	sink, errw := progressSink(ios, opts.JSON)
	rep, err := verify.Run(ctx, verify.Options{
		Account: s.Account, JournalRoot: s.JournalRoot, Timeout: opts.Timeout, KeepCanary: opts.KeepCanary,
	}, verifyInput(l, b), sink)
	if rep == nil {
		return fmt.Errorf("verify %s: %w", l.SID, err)
	}
	dir := opts.ReportDir
	if dir == "" {
		dir = filepath.Join(journal.Dir(s.JournalRoot, rep.Account, rep.SID), "evidence")
	}
	md, js, werr := writeEvidence(dir, rep)
	if opts.JSON {
		line := report.VerifyLine{Kind: report.KindVerify, Report: rep, Markdown: md, JSON: js}
		if err != nil {
			line.Error = err.Error()
		}
		if jerr := report.WriteJSONLine(ios.Out, line); jerr != nil && werr == nil {
			werr = jerr
		}
	} else {
		out := "\n" + report.RenderVerify(rep, outTheme(ios), ios.TerminalWidth())
		if werr == nil {
			out += fmt.Sprintf("Evidence: %s and %s\n", md, js)
		}
		if _, perr := io.WriteString(ios.ColorOut(), out); perr != nil && werr == nil {
			werr = perr
		}
	}
	var fe *verify.FailedError
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(errw, "Interrupted. The canaries were removed (or are recorded in the journal for the next verify or destroy).")
		return silent(fmt.Errorf("verify %s: %w", l.SID, ErrInterrupted))
	case errors.As(err, &fe):
		return &NotOKError{Err: err}
	case err != nil:
		return fmt.Errorf("verify %s: %w", l.SID, err)
	case werr != nil:
		return fmt.Errorf("write the evidence report: %w", werr)
	}
	return nil
}

// progressSink is where a command's events go: JSON lines on standard
// output with --json, else one text line each on standard error (the
// returned writer, shared with the command's own messages).
func progressSink(ios *iostreams.IOStreams, asJSON bool) (steps.Sink, io.Writer) {
	errw := &lockedWriter{w: ios.ColorErrOut()}
	if asJSON {
		return report.NewJSONSink(ios.Out), errw
	}
	return report.NewTextSink(errw, errTheme(ios)), errw
}

// writeEvidence writes the report as Markdown and JSON into dir, named by
// SID and time.
func writeEvidence(dir string, rep *verify.Report) (string, string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", err
	}
	base := filepath.Join(dir, fmt.Sprintf("verify-%s-%s", rep.SID, rep.Time.UTC().Format("20060102T150405Z")))
	md, js := base+".md", base+".json"
	if err := os.WriteFile(md, []byte(report.RenderVerifyMarkdown(rep)), 0o600); err != nil {
		return "", "", err
	}
	f, err := os.OpenFile(js, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return "", "", err
	}
	if err := report.WriteJSON(f, rep); err != nil {
		_ = f.Close()
		return "", "", err
	}
	return md, js, f.Close()
}
