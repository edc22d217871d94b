package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/recall"
	"github.com/hanavault/hanavault/internal/report"
)

// RecallOptions are recall's flags.
type RecallOptions struct {
	SID    string
	Side   string // source | replica
	Prefix string
	Since  string
	Until  string
	Tier   string
	Days   int
	Check  bool
	Yes    bool
	JSON   bool
	// since and until parsed
	since, until time.Time
}

// NewCmdRecall builds `hanavault recall`.
func NewCmdRecall(f *Factory, g *GlobalOptions, runF func(context.Context, *RecallOptions) error) *cobra.Command {
	opts := &RecallOptions{}
	cmd := &cobra.Command{
		Use:   "recall [SID] --region source|replica (--prefix P | --since T --until T)",
		Short: "Restore archived backups (Glacier, Deep Archive) so Backint can read them",
		Long: `List the backups of a selection that are in an archive storage class
(GLACIER or DEEP_ARCHIVE: the Backint agent cannot read them until they are
restored), page by page, and show objects and bytes per class, how many are
readable now, being restored or not requested, the tier's typical completion
time, and an estimated retrieval cost (list prices in a dated table; an
estimate, not a quote). After confirmation, send RestoreObject for every
object not yet restored or being restored, with bounded concurrency and
backoff when S3 asks to slow down. Progress is journaled: an interrupted
recall of the same selection continues where it stopped.

--region selects the landscape's bucket (source, or replica for a recovery
in the DR region); it is not the AWS region flag of the other commands.
Select by key prefix (--prefix, e.g. PRD/usr/sap/PRD/SYS/global/hdb/backint/
DB_PRD/) or by the backups' last-modified time (--since/--until, RFC 3339 or
YYYY-MM-DD, under the landscape's Backint folder). Only current versions
are recalled. --check only reports and exits 0 when everything selected is
readable, 3 when not.

Whoever runs recall needs s3:RestoreObject on the bucket; the bucket policy
grants it to the EC2 backup role, so recall can run from the HANA host.

Exit status: 0 done (or all readable with --check), 1 error, 2 usage or a
missing confirmation, 3 --check found objects not readable yet, 130
interrupted (run the same command again to resume).`,
		Example: `  hanavault recall PRD --region replica --since 2026-11-01 --until 2026-11-08
  hanavault recall PRD --region source --prefix PRD/usr/sap/PRD/SYS/global/hdb/backint/DB_PRD/ --tier Bulk --days 3 --yes
  hanavault recall PRD --region replica --since 2026-11-01 --until 2026-11-08 --check`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sid, err := sidArg(args)
			if err != nil {
				return err
			}
			opts.SID = sid
			if err := opts.validate(); err != nil {
				return err
			}
			if !opts.Check && !opts.Yes && !f.IO.CanPrompt() {
				return usageErrorf("recall sends restore requests that cost money and needs a confirmation, but there is no terminal to ask on: look first (--check), then rerun with --yes")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return recallRun(cmd.Context(), f, g, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Side, "region", "", "which bucket: source, or replica (the DR region)")
	fl.StringVar(&opts.Prefix, "prefix", "", "recall the objects under this key prefix")
	fl.StringVar(&opts.Since, "since", "", "recall backups last modified at or after this time (RFC 3339 or YYYY-MM-DD, UTC)")
	fl.StringVar(&opts.Until, "until", "", "recall backups last modified at or before this time (RFC 3339 or YYYY-MM-DD, UTC: the whole day)")
	fl.StringVar(&opts.Tier, "tier", cloud.TierStandard, "retrieval tier: Standard, Bulk or Expedited")
	fl.IntVar(&opts.Days, "days", recall.DefaultDays, "days the restored copies stay readable (1-3650)")
	fl.BoolVar(&opts.Check, "check", false, "only report how many are readable, being restored, not requested")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "send the restore requests without asking")
	fl.BoolVar(&opts.JSON, "json", false, "write the summary, events and result to standard output as JSON lines (see docs/json.md)")
	return cmd
}

// validate checks the flags, naming the flag and the rule.
func (o *RecallOptions) validate() error {
	switch o.Side {
	case "source", "replica":
	case "":
		return &UsageError{Err: fmt.Errorf("--region is required: source or replica"), ShowUsage: true}
	default:
		return usageErrorf("--region %q: want source or replica (the landscape's bucket, not an AWS region)", o.Side)
	}
	timed := o.Since != "" || o.Until != ""
	switch {
	case o.Prefix != "" && timed:
		return usageErrorf("--prefix and --since/--until exclude each other: select by prefix or by time")
	case o.Prefix == "" && !timed:
		return &UsageError{Err: fmt.Errorf("select what to recall: --prefix P, or --since T and --until T"), ShowUsage: true}
	}
	var err error
	if o.since, err = parseWhen(o.Since, false); err != nil {
		return usageErrorf("--since %q: %v", o.Since, err)
	}
	if o.until, err = parseWhen(o.Until, true); err != nil {
		return usageErrorf("--until %q: %v", o.Until, err)
	}
	if !o.since.IsZero() && !o.until.IsZero() && o.until.Before(o.since) {
		return usageErrorf("--until %s is before --since %s", o.Until, o.Since)
	}
	switch strings.ToLower(o.Tier) {
	case "standard":
		o.Tier = cloud.TierStandard
	case "bulk":
		o.Tier = cloud.TierBulk
	case "expedited":
		o.Tier = cloud.TierExpedited
	default:
		return usageErrorf("--tier %q: want Standard, Bulk or Expedited", o.Tier)
	}
	if o.Days < 1 || o.Days > 3650 {
		return usageErrorf("--days %d: want 1 to 3650", o.Days)
	}
	return nil
}

// parseWhen reads RFC 3339 or YYYY-MM-DD (UTC); a date as the end of a
// window means the whole day.
func parseWhen(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("want RFC 3339 (2026-11-01T08:00:00Z) or YYYY-MM-DD")
	}
	if end {
		return d.Add(24*time.Hour - time.Nanosecond), nil
	}
	return d, nil
}

func recallRun(ctx context.Context, f *Factory, g *GlobalOptions, opts *RecallOptions) error {
	ios := f.IO
	s, err := open(ctx, f, g)
	if err != nil {
		return err
	}
	l, err := resolveLandscape(ctx, ios, s, "recall", opts.SID, false)
	if err != nil {
		return err
	}
	b, err := s.Engine.Backint(ctx, l)
	if err != nil {
		return fmt.Errorf("read the buckets of landscape %s: %w", l.SID, err)
	}
	t := b.Source
	if opts.Side == "replica" {
		t = b.Replica
	}
	sel := recall.Selection{SID: l.SID, Side: opts.Side, Region: t.Region, Bucket: t.Bucket, Prefix: opts.Prefix,
		Since: opts.since, Until: opts.until, Tier: opts.Tier, Days: int32(opts.Days)}
	if sel.Prefix == "" {
		sel.Prefix = t.Folder + "/"
	}
	ro := recall.Options{Account: s.Account, JournalRoot: s.JournalRoot}
	sum, err := recall.Survey(ctx, ro, sel)
	if err != nil {
		return fmt.Errorf("recall %s: %w", l.SID, err)
	}
	if opts.JSON {
		if err := report.WriteJSONLine(ios.Out, report.RecallSummaryLine{Kind: report.KindRecallSummary, Summary: sum}); err != nil {
			return err
		}
	} else if _, err := io.WriteString(ios.ColorOut(), report.RenderRecallSummary(sum, outTheme(ios), ios.TerminalWidth())); err != nil {
		return err
	}
	if opts.Check {
		if sum.InProgress+sum.NotRequested+sum.Unrestorable > 0 {
			return &NotOKError{Err: fmt.Errorf("recall %s: %d of %d archived objects are not readable yet",
				l.SID, sum.InProgress+sum.NotRequested+sum.Unrestorable, sum.Readable+sum.InProgress+sum.NotRequested+sum.Unrestorable)}
		}
		return nil
	}
	if sum.NotRequested == 0 {
		fmt.Fprintln(ios.ErrOut, "Nothing to request: every archived object selected is restored or being restored.")
		return nil
	}
	if !opts.Yes {
		answer, err := ask(ctx, ios.ErrOut, ios.In, fmt.Sprintf("\nSend %d restore requests (estimated $%.2f)? Type yes to continue: ", sum.NotRequested, sum.Estimate.TotalUSD))
		if err != nil {
			return err
		}
		if answer != "yes" {
			fmt.Fprintln(ios.ErrOut, "Recall cancelled: nothing was requested.")
			return silent(ErrCancelled)
		}
	}
	sink, errw := progressSink(ios, opts.JSON)
	total := sum.Readable + sum.InProgress + sum.NotRequested + sum.Unrestorable + sum.NotArchived
	res, err := recall.Run(ctx, ro, sel, total, sink)
	interrupted := ctx.Err() != nil
	if opts.JSON {
		line := report.RecallResultLine{Kind: report.KindRecallResult, Result: res, Interrupted: interrupted}
		if err != nil {
			line.Error = err.Error()
		}
		if werr := report.WriteJSONLine(ios.Out, line); werr != nil && err == nil {
			err = werr
		}
	} else if res != nil {
		fmt.Fprint(ios.ColorOut(), "\n"+report.RenderRecallResult(res, outTheme(ios), ios.TerminalWidth()))
	}
	if interrupted {
		fmt.Fprintln(errw, "Interrupted. The journal records how far the recall got; run the same command again to continue.")
		return silent(fmt.Errorf("recall %s: %w", l.SID, ErrInterrupted))
	}
	if err != nil {
		return fmt.Errorf("recall %s: %w", l.SID, err)
	}
	return nil
}
