package steps_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/steps"
)

// The landscape file beside the journal is neither written nor read
// through a symbolic link planted in the landscape directory.
func TestLandscapeFileIgnoresPlantedSymlinks(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	dir := journal.Dir(e.dir, memaws.DefaultAccountID, e.l.SID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(t.TempDir(), "precious")
	const content = "do not touch\n"
	if err := os.WriteFile(victim, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	// The temporary file the engine used to write before renaming.
	if err := os.Symlink(victim, filepath.Join(dir, ".landscape.yaml.tmp")); err != nil {
		t.Fatal(err)
	}
	e.apply()
	if got, _ := os.ReadFile(victim); string(got) != content {
		t.Fatalf("apply wrote through a planted link: the target holds %q", got)
	}
	// A landscape.yaml replaced by a link to another file is refused.
	other := filepath.Join(t.TempDir(), "other.yaml")
	if err := os.WriteFile(other, []byte("sid: QAS\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, journal.LandscapeFile)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(other, path); err != nil {
		t.Fatal(err)
	}
	_, err := e.eng.LoadLandscape(context.Background(), e.l.SID, false)
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("LoadLandscape through a symlinked landscape.yaml: %v", err)
	}
}

// deniedAccount answers AccessDenied to the KMS and IAM reads named in
// deny (by operation) once the call that arms them succeeded, as for a
// caller whose rights change during the run (a key policy it just changed,
// an SCP); CreateRole, when it arms, also loses its answer.
type deniedAccount struct {
	cloud.Account
	d *denials
}

type denials struct {
	mu    sync.Mutex
	armOn string // "kms:CreateKey" or "iam:CreateRole"
	deny  string // "kms:DescribeKey" or "iam:GetRole"
	armed bool
}

func (d *denials) denied(op string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.armed && op == d.deny {
		return &cloud.Error{Code: cloud.CodeAccessDeniedException, HTTPStatus: 400, Message: "User is not authorized to perform " + op}
	}
	return nil
}

func (d *denials) called(op string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if op == d.armOn {
		d.armed = true
	}
}

func (a deniedAccount) KMS(region string) cloud.KMS { return deniedKMS{a.Account.KMS(region), a.d} }
func (a deniedAccount) IAM() cloud.IAM              { return deniedIAM{a.Account.IAM(), a.d} }

type deniedKMS struct {
	cloud.KMS
	d *denials
}

func (k deniedKMS) TagResource(ctx context.Context, keyID string, tags []cloud.Tag) error {
	err := k.KMS.TagResource(ctx, keyID, tags)
	if err == nil {
		k.d.called("kms:TagResource")
	}
	return err
}

func (k deniedKMS) DescribeKey(ctx context.Context, ref string) (cloud.KeyMetadata, error) {
	if err := k.d.denied("kms:DescribeKey"); err != nil {
		return cloud.KeyMetadata{}, err
	}
	return k.KMS.DescribeKey(ctx, ref)
}

type deniedIAM struct {
	cloud.IAM
	d *denials
}

func (i deniedIAM) CreateRole(ctx context.Context, in cloud.CreateRoleInput) (cloud.Role, error) {
	r, err := i.IAM.CreateRole(ctx, in)
	if err == nil && i.d.armOn == "iam:CreateRole" {
		// The role was created, but its answer is lost: the retry is told
		// it exists.
		i.d.called("iam:CreateRole")
		return cloud.Role{}, &cloud.Error{Code: cloud.CodeEntityAlreadyExists, HTTPStatus: 409, Message: "Role with name " + in.RoleName + " already exists."}
	}
	return r, err
}

func (i deniedIAM) GetRole(ctx context.Context, name string) (cloud.Role, error) {
	if err := i.d.denied("iam:GetRole"); err != nil && name == "hanavault-prd-replication" {
		return cloud.Role{}, err
	}
	return i.IAM.GetRole(ctx, name)
}

// Issue 7: a lookup of the key ARN or the replication role ARN that AWS
// refuses is reported as that refusal, never as "a resource it depends on
// does not exist".
func TestDeniedLookupsAreNotMissingResources(t *testing.T) {
	for _, d := range []*denials{{armOn: "kms:TagResource", deny: "kms:DescribeKey"}, {armOn: "iam:CreateRole", deny: "iam:GetRole"}} {
		t.Run(d.deny, func(t *testing.T) {
			e := newEnv(t, "eu-central-1", "eu-west-1")
			e.l.ReplicationRoleName = "hanavault-prd-replication"
			if d.armOn == "kms:TagResource" {
				// The keys exist; a new tag makes apply retag them, and a
				// removed bucket policy makes it write one naming the key.
				e.apply()
				e.l.Tags = map[string]string{"Owner": "basis"}
				if err := e.acct.S3(e.l.SourceRegion).DeleteBucketPolicy(context.Background(), e.l.OriginalBucketName); err != nil {
					t.Fatal(err)
				}
			}
			acct := deniedAccount{e.acct, d}
			eng := steps.New(steps.Options{Account: acct, StateDir: e.dir, HomeRegion: "eu-central-1", Now: e.clock.Now, Sleep: e.clock.Sleep})
			rec := &recorder{}
			_, err := eng.Apply(context.Background(), e.l, rec)
			if err == nil {
				t.Fatal("apply succeeded without the right to look up")
			}
			if strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), "not authorized") {
				t.Errorf("apply: %v", err)
			}
			for _, ev := range rec.kinds(steps.EventFailed) {
				if strings.Contains(ev.Error, "does not exist") {
					t.Errorf("%s failed with %q", ev.StepID, ev.Error)
				}
			}
		})
	}
}

// failingAccount fails one read operation (by name) with err.
type failingAccount struct {
	cloud.Account
	op  string
	err error
}

func (a failingAccount) S3(region string) cloud.S3   { return failingS3{a.Account.S3(region), a} }
func (a failingAccount) KMS(region string) cloud.KMS { return failingKMS{a.Account.KMS(region), a} }

func (a failingAccount) fail(op string) error {
	if op == a.op {
		return a.err
	}
	return nil
}

type failingS3 struct {
	cloud.S3
	a failingAccount
}

func (s failingS3) GetBucketTagging(ctx context.Context, b string) ([]cloud.Tag, error) {
	if err := s.a.fail("GetBucketTagging"); err != nil {
		return nil, err
	}
	return s.S3.GetBucketTagging(ctx, b)
}

func (s failingS3) GetBucketEncryption(ctx context.Context, b string) (cloud.ServerSideEncryptionByDefault, error) {
	if err := s.a.fail("GetBucketEncryption"); err != nil {
		return cloud.ServerSideEncryptionByDefault{}, err
	}
	return s.S3.GetBucketEncryption(ctx, b)
}

func (s failingS3) GetBucketReplication(ctx context.Context, b string) (cloud.ReplicationConfiguration, error) {
	if err := s.a.fail("GetBucketReplication"); err != nil {
		return cloud.ReplicationConfiguration{}, err
	}
	return s.S3.GetBucketReplication(ctx, b)
}

func (s failingS3) GetBucketPolicy(ctx context.Context, b string) (string, error) {
	if err := s.a.fail("GetBucketPolicy"); err != nil {
		return "", err
	}
	return s.S3.GetBucketPolicy(ctx, b)
}

func (s failingS3) GetBucketLifecycleConfiguration(ctx context.Context, b string) (cloud.LifecycleConfiguration, error) {
	if err := s.a.fail("GetBucketLifecycleConfiguration"); err != nil {
		return cloud.LifecycleConfiguration{}, err
	}
	return s.S3.GetBucketLifecycleConfiguration(ctx, b)
}

type failingKMS struct {
	cloud.KMS
	a failingAccount
}

func (k failingKMS) ListAliases(ctx context.Context, keyID, marker string) (cloud.ListAliasesOutput, error) {
	if err := k.a.fail("ListAliases"); err != nil {
		return cloud.ListAliasesOutput{}, err
	}
	return k.KMS.ListAliases(ctx, keyID, marker)
}

func (k failingKMS) GetKeyPolicy(ctx context.Context, keyID string) (string, error) {
	if err := k.a.fail("GetKeyPolicy"); err != nil {
		return "", err
	}
	return k.KMS.GetKeyPolicy(ctx, keyID)
}

// Issue 7: the rebuild from tags fails with the error of any read that
// fails, instead of filling in defaults that status and destroy then act
// on.
func TestFromTagsFailsOnReadErrors(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	errs := map[string]error{
		"AccessDenied": &cloud.Error{Code: cloud.CodeAccessDenied, HTTPStatus: 403, Message: "Access Denied"},
		"Throttling":   &cloud.Error{Code: cloud.CodeThrottlingException, HTTPStatus: 400, Message: "Rate exceeded"},
		"ExpiredToken": &cloud.Error{Code: cloud.CodeExpiredToken, HTTPStatus: 400, Message: "The security token included in the request is expired"},
	}
	ops := []string{"GetBucketTagging", "GetBucketEncryption", "GetBucketReplication", "GetBucketPolicy", "GetBucketLifecycleConfiguration", "ListAliases", "GetKeyPolicy"}
	for i, op := range ops {
		name := []string{"AccessDenied", "Throttling", "ExpiredToken"}[i%3]
		t.Run(op+"/"+name, func(t *testing.T) {
			acct := failingAccount{e.acct, op, errs[name]}
			eng := steps.New(steps.Options{Account: acct, StateDir: t.TempDir(), HomeRegion: "eu-central-1", Now: e.clock.Now, Sleep: e.clock.Sleep})
			l, err := eng.LoadLandscape(context.Background(), e.l.SID, true)
			if err == nil || !strings.Contains(err.Error(), errs[name].(*cloud.Error).Message) {
				t.Fatalf("rebuild with a failing %s: %v (landscape %+v)", op, err, l)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.eng.LoadLandscape(ctx, e.l.SID, true); !errors.Is(err, context.Canceled) {
		t.Fatalf("rebuild after Ctrl+C: %v", err)
	}
}

// Issue 6 item 8: without the source bucket policy the EC2 role is found
// in the replica bucket policy, and without both in the key policies.
func TestFromTagsRecoversTheEC2Role(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	ctx := context.Background()
	role, err := e.acct.IAM().GetRole(ctx, memaws.SeedBackupRole)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []struct{ region, bucket string }{{e.l.SourceRegion, e.l.OriginalBucketName}, {e.l.ReplicationRegion, e.l.ReplicationBucketName}} {
		if err := e.acct.S3(b.region).DeleteBucketPolicy(ctx, b.bucket); err != nil {
			t.Fatal(err)
		}
		l, err := e.eng.LoadLandscape(ctx, e.l.SID, true)
		if err != nil {
			t.Fatalf("rebuild without the policy of %s: %v", b.bucket, err)
		}
		if l.EC2RoleToRunBackup != role.Arn {
			t.Fatalf("rebuild without the policy of %s: ec2RoleToRunBackup %q, want %q", b.bucket, l.EC2RoleToRunBackup, role.Arn)
		}
		if err := l.Validate(); err != nil {
			t.Fatalf("rebuilt landscape: %v", err)
		}
	}
}

// Issue 6 item 8: destroy does not need the EC2 backup role: neither when
// the role is gone from IAM, nor when a rebuild from tags finds no policy
// that names it.
func TestDestroyNeedsNoEC2Role(t *testing.T) {
	ctx := context.Background()
	t.Run("role deleted", func(t *testing.T) {
		e := newEnv(t, "eu-central-1", "eu-west-1")
		e.l.EC2RoleToRunBackup = "hana-ec2-gone"
		if _, err := e.acct.IAM().CreateRole(ctx, cloud.CreateRoleInput{RoleName: "hana-ec2-gone", Path: "/",
			AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}); err != nil {
			t.Fatal(err)
		}
		e.apply()
		if err := e.acct.IAM().DeleteRole(ctx, "hana-ec2-gone"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.eng.PreviewDestroy(ctx, e.l); err != nil {
			t.Fatalf("destroy preview without the EC2 role: %v", err)
		}
		e.destroy()
		e.assertNothingLeft()
	})
	t.Run("rebuilt without it", func(t *testing.T) {
		e := newEnv(t, "eu-central-1", "eu-west-1")
		e.apply()
		for _, b := range []struct{ region, bucket, alias string }{{e.l.SourceRegion, e.l.OriginalBucketName, e.l.OriginalCMKAlias}, {e.l.ReplicationRegion, e.l.ReplicationBucketName, e.l.ReplicationCMKAlias}} {
			if err := e.acct.S3(b.region).DeleteBucketPolicy(ctx, b.bucket); err != nil {
				t.Fatal(err)
			}
			md, err := e.acct.KMS(b.region).DescribeKey(ctx, b.alias)
			if err != nil {
				t.Fatal(err)
			}
			doc := `{"Version":"2012-10-17","Statement":[{"Sid":"EnableIAMPolicies","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}`
			if err := e.acct.KMS(b.region).PutKeyPolicy(ctx, md.KeyID, doc); err != nil {
				t.Fatal(err)
			}
		}
		eng := steps.New(steps.Options{Account: e.acct, StateDir: t.TempDir(), HomeRegion: "eu-central-1", Now: e.clock.Now, Sleep: e.clock.Sleep})
		l, err := eng.LoadLandscape(ctx, e.l.SID, true)
		if err != nil {
			t.Fatal(err)
		}
		if l.EC2RoleToRunBackup != "" {
			t.Fatalf("rebuilt an EC2 role %q from nothing", l.EC2RoleToRunBackup)
		}
		if _, err := eng.PreviewDestroy(ctx, l); err != nil {
			t.Fatalf("destroy preview of the rebuilt landscape: %v", err)
		}
		all := steps.DestroyOptions{FromTags: steps.TagConsent{Buckets: true, Keys: true, Role: true}}
		if _, err := eng.DestroyWith(ctx, l, &recorder{}, all); err != nil {
			t.Fatalf("destroy of the rebuilt landscape: %v", err)
		}
		e.assertNothingLeft()
	})
}

// TestKnownReportsATornJournal: Known says which landscape's journal has a
// last line torn by a crash (the wizard shows it).
func TestKnownReportsATornJournal(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	path := filepath.Join(e.dir, memaws.DefaultAccountID, e.l.SID, "journal.jsonl")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"seq":999,"kind":"inte`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	known, err := e.eng.Known(context.Background(), false)
	if err != nil || len(known) != 1 {
		t.Fatalf("known %+v %v", known, err)
	}
	if known[0].TornJournalLine == 0 {
		t.Errorf("Known does not report the torn journal line: %+v", known[0])
	}
}
