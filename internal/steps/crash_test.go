package steps_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/steps"
)

// The crash tests fail one mutating operation of a run, chosen by what it
// is (operation, region, resource) from the call log of a clean run, never
// by its position: with steps running concurrently the k-th call is a
// different one from run to run, so failing "call k" for every k missed a
// third of the operations. Each distinct operation is failed in both modes
// (refused, and done but the answer lost), the run is repeated, and it must
// converge and leave nothing behind.

// mutatingOp is one mutating operation on one resource, as the account's
// call log names it. The ID of a KMS key is random in every run, so it is
// replaced by "<key>": the landscape has one key per region (distinctOps
// checks it), so operation and region name the key.
type mutatingOp struct{ Service, Op, Region, Resource string }

func (o mutatingOp) String() string {
	region := o.Region
	if region == "" {
		region = "global"
	}
	return fmt.Sprintf("%s:%s %s %s", o.Service, o.Op, region, o.Resource)
}

var kmsKeyID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

func opOf(c memaws.CallRecord) mutatingOp {
	res := c.Resource
	if c.Service == "kms" {
		res = kmsKeyID.ReplaceAllString(res, "<key>")
	}
	return mutatingOp{c.Service, c.Op, c.Region, res}
}

// distinctOps lists the distinct mutating operations of a call log in the
// order of their first call.
func distinctOps(t *testing.T, calls []memaws.CallRecord) []mutatingOp {
	t.Helper()
	var ops []mutatingOp
	seen := map[mutatingOp]bool{}
	keys := map[string]string{} // region -> the key ID its calls named
	for _, c := range calls {
		if !c.Mutating {
			continue
		}
		if c.Code != "" {
			t.Fatalf("clean run: %s %s failed with %s", c.Op, c.Resource, c.Code)
		}
		if id := kmsKeyID.FindString(c.Resource); c.Service == "kms" && id != "" {
			if prev, ok := keys[c.Region]; ok && prev != id {
				t.Fatalf("clean run touched two keys in %s (%s, %s): the crash tests can no longer tell them apart", c.Region, prev, id)
			}
			keys[c.Region] = id
		}
		if op := opOf(c); !seen[op] {
			seen[op] = true
			ops = append(ops, op)
		}
	}
	return ops
}

// crashRun is the run a crash test interrupts.
type crashRun struct {
	name string
	// minOps is the fewest distinct mutating operations a clean run may
	// make; fewer means the run no longer does what the test is about.
	minOps int
	// setup prepares the account; its calls are not failed.
	setup func(e *env)
	// run is the run that is failed.
	run func(e *env) (*steps.Result, error)
	// recover checks the landscape the failed run left, typically by
	// rerunning it and checking that it converged.
	recover func(t *testing.T, e *env)
}

// cleanOps runs c without faults at the engine's given concurrency and
// returns its distinct mutating operations.
func (c crashRun) cleanOps(t *testing.T, concurrency int) []mutatingOp {
	t.Helper()
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.setConcurrency(concurrency)
	c.setup(e)
	e.acct.ResetCounters()
	if _, err := c.run(e); err != nil {
		t.Fatalf("clean %s: %v", c.name, err)
	}
	return distinctOps(t, e.acct.Calls())
}

// failEachOp fails the first call of each of ops in mode, one op per run
// (the runs in parallel), and returns how many ops were failed and passed
// recover. It reports ran=false when a -run filter left some out.
func (c crashRun) failEachOp(t *testing.T, mode memaws.FailMode, ops []mutatingOp) (covered int, ran bool) {
	var mu sync.Mutex
	started := 0
	t.Run(mode.String(), func(t *testing.T) {
		for _, op := range ops {
			t.Run(op.Op+"/"+strings.ReplaceAll(op.Region+" "+op.Resource, "/", "_"), func(t *testing.T) {
				t.Parallel()
				mu.Lock()
				started++
				mu.Unlock()
				e := newEnv(t, "eu-central-1", "eu-west-1")
				c.setup(e)
				e.acct.ResetCounters()
				e.acct.FailCallWhere(1, mode, func(call memaws.CallRecord) bool { return opOf(call) == op })
				if _, err := c.run(e); err == nil {
					t.Fatalf("%s with %s failing (%s) succeeded", c.name, op, mode)
				}
				fired := false
				for _, call := range e.acct.Calls() {
					fired = fired || (opOf(call) == op && call.Code == cloud.CodeInternalError)
				}
				if !fired {
					t.Fatalf("%s never called %s, which the clean run did", c.name, op)
				}
				c.recover(t, e)
				if !t.Failed() {
					mu.Lock()
					covered++
					mu.Unlock()
				}
			})
		}
	})
	return covered, started == len(ops)
}

// crashTest fails every distinct mutating operation of c in both modes and
// asserts that all of them were covered.
func crashTest(t *testing.T, c crashRun) {
	ops := c.cleanOps(t, 0)
	if len(ops) < c.minOps {
		t.Fatalf("a clean %s made only %d distinct mutating operations: %v", c.name, len(ops), ops)
	}
	// The operations do not depend on the order the steps run in, so
	// neither does the selection of the fault.
	serial := c.cleanOps(t, 1)
	if fmt.Sprint(sortedOps(serial)) != fmt.Sprint(sortedOps(ops)) {
		t.Fatalf("a clean %s makes other mutating operations one step at a time than concurrently:\n%v\n%v", c.name, serial, ops)
	}
	for _, mode := range []memaws.FailMode{memaws.FailBefore, memaws.FailAfter} {
		start := time.Now()
		covered, ran := c.failEachOp(t, mode, ops)
		t.Logf("%s, %s: %d of %d distinct mutating operations failed, each then checked (%v)",
			c.name, mode, covered, len(ops), time.Since(start).Round(time.Millisecond))
		if ran && covered != len(ops) {
			t.Errorf("%s, %s: covered %d of the %d distinct mutating operations of a clean run", c.name, mode, covered, len(ops))
		}
	}
}

func sortedOps(ops []mutatingOp) []string {
	out := make([]string, len(ops))
	for i, op := range ops {
		out[i] = op.String()
	}
	sort.Strings(out)
	return out
}

// failedApply is a fresh apply failed at one operation, then checked by
// check.
func failedApply(check func(t *testing.T, e *env)) crashRun {
	return crashRun{
		name:   "apply",
		minOps: 25,
		setup:  func(*env) {},
		run: func(e *env) (*steps.Result, error) {
			return e.eng.Apply(context.Background(), e.l, &recorder{})
		},
		recover: check,
	}
}

// TestCrashAtEveryMutatingCall fails each distinct mutating operation of a
// fresh apply, in both modes; the rerun must converge, and destroy must then
// leave nothing behind.
func TestCrashAtEveryMutatingCall(t *testing.T) {
	crashTest(t, failedApply(func(t *testing.T, e *env) {
		e.apply()
		if st := e.status(); st.Overall != steps.OverallOK {
			t.Fatalf("after rerun: %s %+v", st.Overall, notOK(st))
		}
		e.destroy()
		e.assertNothingLeft()
	}))
}

// TestCrashDuringDestroy fails each distinct mutating operation of a
// destroy of a landscape in use (backups and their replicas, an unfinished
// multipart upload, access logs), in both modes; the rerun must leave
// nothing behind.
func TestCrashDuringDestroy(t *testing.T) {
	crashTest(t, crashRun{
		name:   "destroy",
		minOps: 12,
		setup: func(e *env) {
			e.apply()
			e.storeBackups()
		},
		run: func(e *env) (*steps.Result, error) {
			return e.eng.Destroy(context.Background(), e.l, &recorder{})
		},
		recover: func(t *testing.T, e *env) {
			e.destroy()
			e.assertNothingLeft()
		},
	})
}

// storeBackups uses an applied landscape as HANA does: the EC2 role stores
// backups (one deleted again), leaves a multipart upload unfinished, and
// waits until they are replicated and the access logs delivered.
func (e *env) storeBackups() {
	e.t.Helper()
	ctx := context.Background()
	s3 := e.acct.As("arn:aws:iam::" + memaws.DefaultAccountID + ":role/" + memaws.SeedBackupRole).S3(e.l.SourceRegion)
	bucket := e.l.OriginalBucketName
	for _, key := range []string{"data/databackup_0_1", "log/log_backup_0_0_1", "log/log_backup_0_0_2"} {
		if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: bucket, Key: key, Body: []byte(key)}); err != nil {
			e.t.Fatalf("store %s: %v", key, err)
		}
	}
	if _, err := s3.DeleteObject(ctx, bucket, "log/log_backup_0_0_1", ""); err != nil {
		e.t.Fatal(err)
	}
	if _, err := s3.CreateMultipartUpload(ctx, cloud.CreateMultipartUploadInput{Bucket: bucket, Key: "data/unfinished"}); err != nil {
		e.t.Fatal(err)
	}
	e.clock.Advance(2 * time.Hour)
	if err := e.acct.ProcessPending(); err != nil {
		e.t.Fatal(err)
	}
}

// setConcurrency replaces the engine by one that runs at most n steps at
// once (0: the default).
func (e *env) setConcurrency(n int) {
	e.eng = steps.New(steps.Options{Account: e.acct, StateDir: e.dir, HomeRegion: e.l.SourceRegion,
		Now: e.clock.Now, Sleep: e.clock.Sleep, Concurrency: n})
}
