package steps

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/journal"
)

// Ownership is decided per resource identity, never per step: a step's
// history says what it did under whatever name the landscape had then,
// while a resource is hanavault's only if the journal's done record of the
// call that created that very resource (region + bucket name, key ID, alias
// name, role name) says so. Tags are hints for finding resources, never
// proof.

// resKind is a class of resource hanavault creates.
type resKind string

const (
	resBucket resKind = "bucket"
	resKey    resKind = "key"
	resAlias  resKind = "alias"
	resRole   resKind = "role"
)

// resID identifies one resource: its class, region (GlobalScope for IAM)
// and name (bucket name, key ID, alias name, role name). A key create
// whose answer was lost has no key ID yet: its name is lostKeyName(step).
type resID struct {
	kind   resKind
	region string
	name   string
}

func lostKeyName(step string) string { return "?" + step }

// window is the span of one create call whose outcome is unknown: sent
// (intent) and not answered with a done record.
type window struct{ from, to time.Time }

// contains reports whether a resource created at t could have been made by
// the call. S3's ListBuckets reports CreationDate in whole seconds, so the
// window is widened to the second around it.
func (w window) contains(t time.Time) bool {
	return !t.Before(w.from.Truncate(time.Second)) && !t.After(w.to.Add(time.Second))
}

// after reports whether a resource created at t was created after the
// window, in whole seconds: by someone else, after the call.
func (w window) after(t time.Time) bool {
	return t.After(w.to.Add(time.Second))
}

// skew bounds how far AWS's clock is ahead of the local one (negative:
// behind): AWS's time is local time plus an offset in [lo, hi].
type skew struct{ lo, hi time.Duration }

// inAWS is the window in AWS's clock, widened by the skew's uncertainty.
func (w window) inAWS(s skew) window { return window{w.from.Add(s.lo), w.to.Add(s.hi)} }

// awsSkew estimates the skew once per run from the Date of an S3 answer
// (ServerClock, to the second) and the local times around the call. The
// resource dates AWS reports are compared with windows of local journal
// times in AWS's clock, so a local clock off AWS's does not make the
// landscape's own resource look made by someone else. Without an answer
// the local clock is taken as AWS's.
func (r *run) awsSkew(st *step) skew {
	s, _ := memo(r, "aws-skew", func() (skew, error) {
		t0 := r.e.opts.Now()
		date, err := read(r, st, func(ctx context.Context) (time.Time, error) {
			return r.acct.S3(r.homeRegion(st.region)).ServerClock(ctx)
		})
		t1 := r.e.opts.Now()
		if err != nil {
			return skew{}, nil
		}
		// AWS's clock read date (truncated to the second) at some moment
		// between t0 and t1.
		return skew{lo: date.Sub(t1), hi: date.Add(time.Second).Sub(t0)}, nil
	})
	return s
}

// owned is what the journal proves about one resource.
type owned struct {
	created bool      // a done record of its create call, and no delete since
	at      time.Time // when that create call completed
	step    string    // the step that created it
	last    time.Time // the last done change to its configuration this landscape made as its own (buckets)
	deleted bool      // created by this landscape, then deleted by it
	lost    []window  // create calls sent whose answer was lost, since the last delete
}

// ledger is the journal folded into ownership per resource identity.
type ledger map[resID]*owned

// createCalls and deleteCalls are the calls that bring a resource into
// existence and make it go away.
var (
	createCalls = map[string]resKind{"s3:CreateBucket": resBucket, "kms:CreateKey": resKey, "kms:CreateAlias": resAlias, "iam:CreateRole": resRole}
	deleteCalls = map[string]resKind{"s3:DeleteBucket": resBucket, "kms:ScheduleKeyDeletion": resKey, "kms:DeleteAlias": resAlias, "iam:DeleteRole": resRole}
)

// refusals are error codes with which a create call certainly created
// nothing: a failed record carrying one is not a lost answer.
var refusals = []string{
	cloud.CodeBucketAlreadyOwnedByYou, cloud.CodeBucketAlreadyExists, cloud.CodeEntityAlreadyExists,
	cloud.CodeAlreadyExistsException, cloud.CodeAccessDenied, cloud.CodeInvalidBucketName, errNotOurCreate.Error(),
}

// errNotOurCreate marks a create call answered with success for a
// resource that already existed before the call (us-east-1's 200 for an
// owned bucket).
var errNotOurCreate = fmt.Errorf("NotCreatedByThisRequest")

// clockAllowance is how far the clock of the machine running hanavault
// (journal times) may be behind AWS's (CreationDate, CreateDate) before a
// resource it created looks made after its last change: S3 refuses signed
// requests more than 15 minutes off its clock (RequestTimeTooSkewed). A
// resource made again by someone else within this time after this
// landscape's last change to its own cannot be told from its own.
const clockAllowance = 15 * time.Minute

// lostAnswerLimit bounds the window of a create call whose process died
// before it could journal the outcome: no call runs longer (callCtx).
const lostAnswerLimit = 5 * time.Minute

// ownershipOf folds journal records into the ledger.
func ownershipOf(recs []journal.Record) ledger {
	out := ledger{}
	get := func(id resID) *owned {
		o := out[id]
		if o == nil {
			o = &owned{}
			out[id] = o
		}
		return o
	}
	open := map[string]journal.Record{} // run|step|op|resource → intent
	for _, rec := range recs {
		ck, isCreate := createCalls[rec.Op]
		dk, isDelete := deleteCalls[rec.Op]
		if !isCreate && !isDelete {
			changedBucket(out, rec)
			continue
		}
		k := rec.Run + "|" + rec.Step + "|" + rec.Op + "|" + rec.Resource
		switch rec.Kind {
		case journal.KindIntent:
			open[k] = rec
		case journal.KindDone:
			delete(open, k)
			if isCreate {
				id := createdID(ck, rec)
				o := get(id)
				*o = owned{created: true, at: rec.Time, step: rec.Step, last: rec.Time}
				if ck == resKey {
					delete(out, resID{resKey, rec.Region, lostKeyName(rec.Step)})
				}
			}
			if isDelete {
				o := get(resID{dk, rec.Region, rec.Resource})
				o.deleted = o.deleted || o.created || len(o.lost) > 0
				o.created, o.lost = false, nil
			}
		case journal.KindFailed:
			in, ok := open[k]
			delete(open, k)
			if isCreate && ok && !refused(rec.Error) {
				o := get(lostID(ck, in))
				o.lost = append(o.lost, window{in.Time, rec.Time})
			}
		}
	}
	for _, in := range open {
		if ck, ok := createCalls[in.Op]; ok {
			o := get(lostID(ck, in))
			o.lost = append(o.lost, window{in.Time, in.Time.Add(lostAnswerLimit)})
		}
	}
	return out
}

// changedBucket notes the time of a done change this landscape made to the
// configuration of a bucket it created, as its own: S3 may move a bucket's
// CreationDate to the time of such a change (the Bucket data type of the
// S3 API Reference: the date "can change when making changes to your
// bucket, such as editing its bucket policy"). Changes to a bucket taken
// for pre-existing (adopting it, putting its settings back) are journaled
// as such and do not count, nor do object calls (emptying, canaries).
func changedBucket(out ledger, rec journal.Record) {
	if rec.Kind != journal.KindDone || rec.PreExisting || !bucketConfigOp(rec.Op) {
		return
	}
	if o := out[resID{resBucket, rec.Region, rec.Resource}]; o != nil && o.created && rec.Time.After(o.last) {
		o.last = rec.Time
	}
}

// bucketConfigOp reports whether op changes a bucket's configuration.
func bucketConfigOp(op string) bool {
	return strings.HasPrefix(op, "s3:PutBucket") || strings.HasPrefix(op, "s3:DeleteBucket") ||
		strings.HasSuffix(op, "PublicAccessBlock")
}

func refused(msg string) bool {
	for _, c := range refusals {
		if strings.Contains(msg, c) {
			return true
		}
	}
	return false
}

// createdID is the identity a done create record names.
func createdID(k resKind, rec journal.Record) resID {
	if k == resKey {
		return resID{resKey, rec.Region, keyIDOf(rec.ID)}
	}
	return resID{k, rec.Region, rec.Resource}
}

// lostID is the identity of what a create intent may have made.
func lostID(k resKind, in journal.Record) resID {
	if k == resKey {
		return resID{resKey, in.Region, lostKeyName(in.Step)}
	}
	return resID{k, in.Region, in.Resource}
}

// keyIDOf returns the key ID of a key ARN (or the ID itself).
func keyIDOf(arnOrID string) string {
	if i := strings.LastIndex(arnOrID, "key/"); i >= 0 {
		return arnOrID[i+len("key/"):]
	}
	return arnOrID
}

// get returns what the ledger says about id (never nil).
func (l ledger) get(id resID) owned {
	if o := l[id]; o != nil {
		return *o
	}
	return owned{}
}

// ownerWords is what plan and the destroy preview say about a resource.
func ownerWords(created bool, at time.Time) string {
	if created {
		return "created by this landscape on " + at.UTC().Format("2006-01-02")
	}
	return "pre-existing, kept"
}

// OwnerFoundByTags is the owner words (Change.Owner) of a resource that
// only its tags say is this landscape's (local state lost, --from-tags).
const OwnerFoundByTags = "found by its tags only (no journal record): deleted only with your consent"

const foundByTags = OwnerFoundByTags

// ownerForeignAlias is the owner words of the landscape's alias when it
// names a key this landscape did not create: destroy keeps both.
const ownerForeignAlias = "names a key this landscape did not create, kept"

// consentToTags takes the user's consent to treat tag-found resources as
// this landscape's, only when no journal of an apply exists (local state
// lost): a journal proves what the landscape created, and tags someone
// else set must not add to it.
func (r *run) consentToTags(c TagConsent) {
	if lastApplyRun(r.recs) == "" {
		r.tagConsent = c
	}
}

// ownsBucket reports whether this landscape created the bucket: a done
// create record, or a create whose answer was lost and the bucket's
// CreationDate falls in that call's window. A bucket created later than
// this landscape's last change to the one it created (plus clockAllowance)
// is not that bucket: it was deleted outside hanavault and made again, by
// anyone.
func (r *run) ownsBucket(st *step, region, name string) (bool, time.Time, error) {
	return r.ownsBucketIn(r.owned, st, region, name)
}

// ownsBucketIn is ownsBucket with the ledger l (the journal as it is now,
// with this run's own records).
func (r *run) ownsBucketIn(l ledger, st *step, region, name string) (bool, time.Time, error) {
	o := l.get(resID{resBucket, region, name})
	if !o.created && len(o.lost) == 0 {
		return false, time.Time{}, nil
	}
	created, ok, err := r.bucketCreationDate(st, region, name)
	if err != nil {
		return false, time.Time{}, err
	}
	if o.created {
		// Not listed (yet): nothing says it is another bucket.
		return !ok || !(window{o.at, o.last.Add(clockAllowance)}).after(created), o.at, nil
	}
	if !ok {
		return false, time.Time{}, nil
	}
	for _, w := range o.lost {
		if w.inAWS(r.awsSkew(st)).contains(created) {
			return true, created, nil
		}
	}
	return false, time.Time{}, nil
}

// homeRegion is the region account-wide S3 calls (ListBuckets, the clock
// read) go to: the engine's home region, else the region of the resource
// at hand.
func (r *run) homeRegion(region string) string {
	if r.e.opts.HomeRegion != "" {
		return r.e.opts.HomeRegion
	}
	return region
}

// bucketCreationDate reads a bucket's CreationDate from ListBuckets.
func (r *run) bucketCreationDate(st *step, region, name string) (time.Time, bool, error) {
	list, err := read(r, st, func(ctx context.Context) ([]cloud.BucketSummary, error) {
		return r.acct.S3(r.homeRegion(region)).ListBuckets(ctx)
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("list buckets to read the creation date of %s: %w", name, err)
	}
	for _, b := range list {
		if b.Name == name {
			return b.CreationDate, true, nil
		}
	}
	return time.Time{}, false, nil
}

// ownsRole reports whether this landscape created the role: a done create
// record, and the role's CreateDate not later than that call's answer plus
// clockAllowance (IAM API Reference, Role data type: CreateDate is when
// the role was created; a later one was made after this landscape's role
// was deleted, by anyone); or a create whose answer was lost and the role
// was created in that call's window.
func (r *run) ownsRole(role cloud.Role) (bool, time.Time) {
	return r.ownsRoleIn(r.owned, role)
}

// ownsRoleIn is ownsRole with the ledger l.
func (r *run) ownsRoleIn(l ledger, role cloud.Role) (bool, time.Time) {
	o := l.get(resID{resRole, GlobalScope, role.RoleName})
	if o.created && !(window{o.at, o.at.Add(clockAllowance)}).after(role.CreateDate) {
		return true, o.at
	}
	for _, w := range o.lost {
		if w.inAWS(r.awsSkew(&step{id: "aws-clock"})).contains(role.CreateDate) {
			return true, role.CreateDate
		}
	}
	return false, time.Time{}
}

// ownsKey reports whether this landscape created the key of a side: a done
// CreateKey record with its ID, or a CreateKey whose answer was lost, the
// key created in that call's window and tagged for the side.
func (r *run) ownsKey(sd side, meta cloud.KeyMetadata, taggedOurs bool) (bool, time.Time) {
	o := r.owned.get(resID{resKey, sd.region, meta.KeyID})
	if o.created {
		return true, o.at
	}
	if !taggedOurs {
		return false, time.Time{}
	}
	for _, w := range r.owned.get(resID{resKey, sd.region, lostKeyName(stepID(sd.name, "key"))}).lost {
		if w.inAWS(r.awsSkew(&step{id: "aws-clock", region: sd.region})).contains(meta.CreationDate) {
			return true, meta.CreationDate
		}
	}
	return false, time.Time{}
}

// ownsAlias reports whether this landscape created the alias.
func (r *run) ownsAlias(region, alias string) (bool, time.Time) {
	o := r.owned.get(resID{resAlias, region, alias})
	return o.created || len(o.lost) > 0, o.at
}

// ownedNames lists the resources of a class the journal proves this
// landscape created and has not deleted, sorted by region and name.
func (l ledger) ownedNames(k resKind) []resID {
	var out []resID
	for id, o := range l {
		if id.kind == k && o.created && !strings.HasPrefix(id.name, "?") {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].region != out[j].region {
			return out[i].region < out[j].region
		}
		return out[i].name < out[j].name
	})
	return out
}

// journaledBuckets lists every bucket in region the journal names (created
// or adopted, under the landscape's current names or earlier ones), with
// the landscape's current buckets there.
func (r *run) journaledBuckets(region string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, sd := range sides(r.l) {
		if sd.region == region {
			add(sd.bucket)
			add(sd.logBucket)
		}
	}
	for _, rec := range r.recs {
		if rec.Region == region && strings.HasPrefix(rec.Op, "s3:") {
			add(rec.Resource)
		}
	}
	sort.Strings(out)
	return out
}

// bucketsUsingKey lists the buckets in region that still exist and use the
// key as their default encryption.
func (r *run) bucketsUsingKey(st *step, region string, meta cloud.KeyMetadata) ([]string, error) {
	s3 := r.acct.S3(region)
	var out []string
	for _, b := range r.journaledBuckets(region) {
		out1, err := read(r, st, func(ctx context.Context) (cloud.HeadBucketOutput, error) { return s3.HeadBucket(ctx, b) })
		switch {
		case cloud.IsCode(err, cloud.CodeNotFound, cloud.CodeNoSuchBucket, cloud.CodeForbidden, cloud.CodeAccessDenied):
			continue
		case err != nil:
			return nil, fmt.Errorf("look up bucket %s before scheduling the deletion of key %s: %w", b, meta.KeyID, err)
		}
		if out1.BucketRegion != "" && out1.BucketRegion != region {
			continue
		}
		enc, err := read(r, st, func(ctx context.Context) (cloud.ServerSideEncryptionByDefault, error) {
			return s3.GetBucketEncryption(ctx, b)
		})
		if cloud.IsCode(err, cloud.CodeNoSuchEncryption) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read the default encryption of bucket %s before scheduling the deletion of key %s: %w", b, meta.KeyID, err)
		}
		if enc.KMSMasterKeyID != "" && (enc.KMSMasterKeyID == meta.Arn || keyIDOf(enc.KMSMasterKeyID) == meta.KeyID) {
			out = append(out, b)
		}
	}
	return out, nil
}
