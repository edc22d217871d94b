package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hanavault/hanavault/internal/iostreams"
	"github.com/hanavault/hanavault/internal/report"
	"github.com/hanavault/hanavault/internal/steps"
)

// DestroyOptions are destroy's flags.
type DestroyOptions struct {
	SID           string
	Confirm       string
	JSON          bool
	FromTags      bool
	RemoveRenamed bool
	// DeleteTagged names the classes of tag-found resources (--from-tags)
	// destroy may delete: buckets, keys, role, all or none.
	DeleteTagged []string
	// FullCount counts every version of large buckets in the preview.
	FullCount bool
	// Drain lets S3 empty the backup buckets by lifecycle.
	Drain bool
}

// NewCmdDestroy builds `hanavault destroy`.
func NewCmdDestroy(f *Factory, g *GlobalOptions, runF func(context.Context, *DestroyOptions) error) *cobra.Command {
	opts := &DestroyOptions{}
	cmd := &cobra.Command{
		Use:   "destroy [SID]",
		Short: "Remove the landscape from both regions",
		Long: `Show what destroy would remove (resources per region, each bucket's object
versions, delete markers and bytes, the KMS keys and their deletion window),
then remove what this landscape created in both regions. Destroy deletes a
resource only when the landscape's journal records the call that created
it; everything else is kept: buckets that existed before hanavault keep
their contents and get their prior settings back. KMS keys are scheduled
for deletion: backups still encrypted with them become unreadable once the
window ends. A key is never scheduled while a bucket that encrypts with it
still exists.

Resources the landscape created under names (or in regions) it no longer
uses are listed in the preview and kept, with the keys their buckets need;
--remove-renamed empties and deletes them too.

With --from-tags (local state lost) no journal proves what hanavault
created: the preview lists every resource found by its tags with its
contents, and destroy asks, per class (buckets, keys with their aliases,
the replication role), whether to delete them. Without a terminal, name the
classes with --delete-tagged (buckets,keys,role, all or none). A --from-tags
destroy that stopped half-way can be rerun the same way: what the tags no
longer show (a side whose buckets are gone, the role) comes from the journal
that destroy left in the state directory, and when nothing tagged is left
destroy says so and exits 0.

A landscape destroyed already has nothing left to destroy: destroy says so
and exits 0.

The preview counts each bucket's versions up to 50,000 and then says "more
than"; --full-count counts them all.

Emptying a bucket of millions of versions takes hours of DeleteObjects
calls. --drain instead puts a lifecycle on the two backup buckets this
landscape created (never on a kept one) that expires every version, delete
marker and incomplete upload, stops replication, and deletes nothing: S3
expires objects asynchronously, so expect the buckets to be empty in about
2-3 days (no promise). A later destroy (without --drain) finishes once they
are empty; until then it says "draining: N versions left", deletes nothing
and exits 0. The preview suggests --drain above 100,000 versions in a
backup bucket.

On a terminal, destroy asks you to type the SID. Without one, it prints
the preview and requires --confirm SID (exit 2 otherwise).

Ctrl+C (SIGINT) or SIGTERM stops after the calls in flight: run destroy
again to finish (exit 130).`,
		Example: `  hanavault destroy PRD
  hanavault destroy PRD --confirm PRD --json > destroy.ndjson`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sid, err := sidArg(args)
			if err != nil {
				return err
			}
			opts.SID = sid
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return destroyRun(cmd.Context(), f, g, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Confirm, "confirm", "", "the landscape's SID, to destroy without being asked")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write the preview, events and result to standard output as JSON lines (see docs/json.md)")
	cmd.Flags().BoolVar(&opts.FromTags, "from-tags", false, "find the landscape by its resources' tags instead of the local state")
	cmd.Flags().BoolVar(&opts.RemoveRenamed, "remove-renamed", false, "also remove what the landscape created under earlier names (kept by default, with the keys their buckets need)")
	cmd.Flags().BoolVar(&opts.FullCount, "full-count", false, "count every object version of large buckets in the preview (by default counting stops at 50,000 per bucket)")
	cmd.Flags().BoolVar(&opts.Drain, "drain", false, "let S3 empty the backup buckets this landscape created by an expire-everything lifecycle and stop replication; a later destroy finishes once they are empty")
	cmd.Flags().StringSliceVar(&opts.DeleteTagged, "delete-tagged", nil, "with --from-tags: the classes of tag-found resources to delete without asking: buckets, keys, role, all or none")
	return cmd
}

// tagClasses are the classes of tag-found resources destroy asks about.
var tagClasses = []struct{ name, words string }{
	{"buckets", "the buckets found by their tags, with all their contents (emptied and deleted)"},
	{"keys", "the KMS keys found by their tags (scheduled for deletion) and their aliases"},
	{"role", "the replication role found by its tags"},
}

// parseDeleteTagged turns --delete-tagged into consent.
func parseDeleteTagged(vals []string) (steps.TagConsent, error) {
	var c steps.TagConsent
	for _, v := range vals {
		switch v = strings.ToLower(strings.TrimSpace(v)); v {
		case "all":
			c = steps.TagConsent{Buckets: true, Keys: true, Role: true}
		case "none":
		default:
			if !consentTo(&c, v, true) {
				return c, usageErrorf("--delete-tagged: %q is not a class; use buckets, keys, role, all or none", v)
			}
		}
	}
	return c, nil
}

// consentTo sets the consent for one class; false for an unknown class.
func consentTo(c *steps.TagConsent, class string, yes bool) bool {
	switch class {
	case "buckets":
		c.Buckets = yes
	case "keys":
		c.Keys = yes
	case "role":
		c.Role = yes
	default:
		return false
	}
	return true
}

// askTagConsent asks, for each class of resource the preview found only by
// its tags, whether destroy may delete them.
func askTagConsent(ctx context.Context, ios *iostreams.IOStreams, d *steps.DestroyPreview, opts *DestroyOptions) (steps.TagConsent, error) {
	if len(opts.DeleteTagged) > 0 {
		return parseDeleteTagged(opts.DeleteTagged)
	}
	found := map[string][]string{}
	for _, c := range d.Changes {
		if c.Owner != steps.OwnerFoundByTags {
			continue
		}
		switch c.Component {
		case steps.CompBucket, steps.CompLogBucket:
			found["buckets"] = append(found["buckets"], c.Resource)
		case steps.CompKey:
			found["keys"] = appendOnce(found["keys"], c.Resource)
		case steps.CompRole:
			found["role"] = append(found["role"], c.Resource)
		}
	}
	for _, rr := range d.Renamed {
		if rr.FoundByTags {
			found["buckets"] = append(found["buckets"], rr.Name)
		}
	}
	var c steps.TagConsent
	if len(found) == 0 {
		return c, nil
	}
	if !ios.CanPrompt() {
		return c, usageErrorf("with --from-tags no journal proves what hanavault created, and there is no terminal to ask on: name what to delete with --delete-tagged (buckets, keys, role, all or none)")
	}
	for _, cl := range tagClasses {
		names := found[cl.name]
		if len(names) == 0 {
			continue
		}
		q := fmt.Sprintf("\nNo journal shows hanavault created %s: %s.\nDelete them? Type yes to delete, anything else keeps them: ", cl.words, strings.Join(names, ", "))
		answer, err := ask(ctx, ios.ErrOut, ios.In, q)
		if err != nil {
			return c, err
		}
		consentTo(&c, cl.name, strings.EqualFold(strings.TrimSpace(answer), "yes"))
	}
	return c, nil
}

func appendOnce(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

func destroyRun(ctx context.Context, f *Factory, g *GlobalOptions, opts *DestroyOptions) error {
	ios := f.IO
	s, err := open(ctx, f, g)
	if err != nil {
		return err
	}
	if len(opts.DeleteTagged) > 0 {
		if !opts.FromTags {
			return usageErrorf("--delete-tagged only applies with --from-tags: with local state, the journal says what hanavault created")
		}
		if _, err := parseDeleteTagged(opts.DeleteTagged); err != nil {
			return err
		}
	}
	l, err := resolveLandscape(ctx, ios, s, "destroy", opts.SID, opts.FromTags)
	if errors.Is(err, steps.ErrAlreadyDestroyed) {
		fmt.Fprintf(ios.ErrOut, "Nothing to destroy: %v.\n", errors.Unwrap(err))
		return nil
	}
	if err != nil {
		return err
	}
	if opts.Confirm != "" && opts.Confirm != l.SID {
		return usageErrorf("--confirm %s does not match the landscape's SID %s: nothing was destroyed", opts.Confirm, l.SID)
	}
	do := steps.DestroyOptions{RemoveRenamed: opts.RemoveRenamed, FullCount: opts.FullCount, Drain: opts.Drain}
	d, err := s.Engine.PreviewDestroyWith(ctx, l, do)
	if err != nil {
		return fmt.Errorf("preview destroy of landscape %s: %w", l.SID, err)
	}
	if opts.JSON {
		if err := report.WriteJSONLine(ios.Out, report.NewDestroyPreviewLine(d)); err != nil {
			return err
		}
	} else {
		out := report.RenderDestroyPreview(d, outTheme(ios), ios.TerminalWidth())
		if _, err := io.WriteString(ios.ColorOut(), out); err != nil {
			return fmt.Errorf("write destroy preview of %s: %w", l.SID, err)
		}
	}
	if d.NothingToDo {
		return nil
	}
	if d.SuggestDrain && !opts.Drain && !opts.JSON {
		fmt.Fprintf(ios.ErrOut, "\nA backup bucket holds more than %d versions: emptying it takes many requests and can take hours.\n`hanavault destroy %s --drain` lets S3 empty it by lifecycle instead (no request per version; expect about 2-3 days), and a later destroy finishes.\n",
			steps.DrainSuggestVersions, l.SID)
	}
	if opts.FromTags {
		if do.FromTags, err = askTagConsent(ctx, ios, d, opts); err != nil {
			return err
		}
	}
	if opts.Confirm == "" {
		if !ios.CanPrompt() {
			return usageErrorf("destroy needs a confirmation, but there is no terminal to ask on: rerun with --confirm %s", l.SID)
		}
		question := fmt.Sprintf("\nType the SID (%s) to destroy this landscape in account %s: ", l.SID, d.Identity.Account)
		answer, err := ask(ctx, ios.ErrOut, ios.In, question)
		if err != nil {
			return err
		}
		if answer != l.SID {
			fmt.Fprintf(ios.ErrOut, "Destroy cancelled (you typed %q, not %s): nothing was changed.\n", answer, l.SID)
			return silent(ErrCancelled)
		}
	}
	resume := "hanavault destroy " + l.SID + " --confirm " + l.SID
	if opts.FromTags {
		resume += " --from-tags --delete-tagged " + consentFlag(do.FromTags)
	}
	if opts.RemoveRenamed {
		resume += " --remove-renamed"
	}
	if opts.Drain {
		resume += " --drain"
	}
	resume += g.hintFlags()
	return runOperation(ctx, f, operation{
		name: "destroy", sid: l.SID, json: opts.JSON, resume: resume,
		run: func(sink steps.Sink) (*steps.Result, error) { return s.Engine.DestroyWith(ctx, l, sink, do) },
	})
}

// consentFlag is the --delete-tagged value that gives consent c again.
func consentFlag(c steps.TagConsent) string {
	var out []string
	if c.Buckets {
		out = append(out, "buckets")
	}
	if c.Keys {
		out = append(out, "keys")
	}
	if c.Role {
		out = append(out, "role")
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ",")
}
