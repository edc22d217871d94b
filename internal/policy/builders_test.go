package policy

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hanavault/hanavault/internal/cloud"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// landscape is a typical two-region hanavault deployment for one SID.
type landscape struct {
	partition, account, src, dst string
}

func (l landscape) bucket(region string) string { return "hana-backup-prd-" + l.account + "-" + region }
func (l landscape) logBucket(region string) string {
	return "hana-backup-prd-logs-" + l.account + "-" + region
}
func (l landscape) role(name string) string { return cloud.RoleARN(l.partition, l.account, "/", name) }
func (l landscape) key(region, id string) string {
	return cloud.KeyARN(l.partition, region, l.account, id)
}

func (l landscape) documents() map[string]Document {
	srcKey := l.key(l.src, "1234abcd-12ab-34cd-56ef-1234567890ab")
	dstKey := l.key(l.dst, "0987dcba-09fe-87dc-65ba-ab0987654321")
	bp := BucketPolicyParams{Partition: l.partition, Bucket: l.bucket(l.src), KeyARN: srcKey,
		BackupRoleARN: l.role("hana-backup-ec2")}
	strict := bp
	strict.RequireEncryptionHeader = true
	return map[string]Document{
		"key-policy": KeyPolicy(KeyPolicyParams{Partition: l.partition, Account: l.account,
			AdminRoleARN: l.role("kms-admin"), UserRoleARNs: []string{l.role("hana-backup-ec2")}}),
		"bucket-policy":        BucketPolicy(bp),
		"bucket-policy-strict": BucketPolicy(strict),
		"log-bucket-policy": LogBucketPolicy(LogBucketPolicyParams{Partition: l.partition, Account: l.account,
			LogBucket: l.logBucket(l.src), SourceBucket: l.bucket(l.src), Prefix: "s3-access/"}),
		"replication-trust-policy": ReplicationTrustPolicy(),
		"replication-role-policy": ReplicationRolePolicy(ReplicationPolicyParams{Partition: l.partition,
			SourceBucket: l.bucket(l.src), ReplicaBucket: l.bucket(l.dst), SourceKeyARN: srcKey, ReplicaKeyARN: dstKey,
			SourceRegion: l.src, ReplicaRegion: l.dst}),
	}
}

var landscapes = map[string]landscape{
	"aws":    {partition: "aws", account: "123456789012", src: "eu-central-1", dst: "eu-west-1"},
	"aws-cn": {partition: "aws-cn", account: "123456789012", src: "cn-north-1", dst: "cn-northwest-1"},
}

func TestGoldenDocuments(t *testing.T) {
	for lname, l := range landscapes {
		for dname, d := range l.documents() {
			t.Run(lname+"/"+dname, func(t *testing.T) {
				got := d.JSON() + "\n"
				path := filepath.Join("testdata", lname, dname+".json")
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), got); diff != "" {
					t.Fatalf("%s differs (-golden +got):\n%s", path, diff)
				}
				back, err := Parse(got)
				if err != nil {
					t.Fatalf("golden document does not parse: %v", err)
				}
				if diff := cmp.Diff(d, back); diff != "" {
					t.Fatalf("round trip (-built +parsed):\n%s", diff)
				}
				if ok, err := Equivalent(d.JSON(), d.Compact()); err != nil || !ok {
					t.Fatalf("JSON() and Compact() are not equivalent: %v %v", ok, err)
				}
			})
		}
	}
}

func TestPartitionFlowsEverywhere(t *testing.T) {
	l := landscapes["aws-cn"]
	for name, d := range l.documents() {
		js := d.Compact()
		if strings.Contains(js, "arn:aws:") {
			t.Errorf("%s for aws-cn contains an arn:aws: ARN: %s", name, js)
		}
		if name != "replication-trust-policy" && !strings.Contains(js, "arn:aws-cn:") {
			t.Errorf("%s for aws-cn names no arn:aws-cn: resource: %s", name, js)
		}
	}
	rp := l.documents()["replication-role-policy"].Compact()
	for _, want := range []string{`"s3.cn-north-1.amazonaws.com.cn"`, `"s3.cn-northwest-1.amazonaws.com.cn"`} {
		if !strings.Contains(rp, want) {
			t.Errorf("aws-cn replication policy lacks ViaService %s: %s", want, rp)
		}
	}
}

// TestNoHardCodedPartition scans this package's and eval's non-test sources:
// every ARN must come from the cloud helpers.
func TestNoHardCodedPartition(t *testing.T) {
	for _, dir := range []string{".", "eval"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatalf("no Go files in %s", dir)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "arn:aws:") {
				t.Errorf("%s contains a hard-coded arn:aws: literal", f)
			}
		}
	}
}

func TestKeyPolicyShape(t *testing.T) {
	d := KeyPolicy(KeyPolicyParams{Partition: "aws", Account: "123456789012",
		AdminRoleARN: "arn:aws:iam::123456789012:role/admin",
		UserRoleARNs: []string{"arn:aws:iam::123456789012:role/b", "arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b", ""}})
	sids := sidsOf(d)
	if want := []string{SidEnableIAMPolicies, SidKeyAdministration, SidKeyUsageByBackupRole, SidGrantsForAWSResources}; !slices.Equal(sids, want) {
		t.Fatalf("statements %v, want %v", sids, want)
	}
	if got := d.Statement[0].Principal.AWS; !slices.Equal(got, []string{"arn:aws:iam::123456789012:root"}) {
		t.Fatalf("root statement principal %v", got)
	}
	for _, a := range d.Statement[1].Action {
		for _, crypto := range []string{"Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey"} {
			if strings.Contains(a, crypto) {
				t.Errorf("admin statement grants crypto action %s", a)
			}
		}
	}
	if got := d.Statement[2].Principal.AWS; !slices.Equal(got, []string{"arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"}) {
		t.Fatalf("user roles not sorted, de-duplicated and cleaned: %v", got)
	}
	if got := d.Statement[3].Condition["Bool"][KeyGrantForAWS]; !slices.Equal(got, []string{"true"}) {
		t.Fatalf("grant statement condition %v", d.Statement[3].Condition)
	}

	// Without admin and users only the root statement is left: KMS rejects
	// empty or unknown principals.
	bare := KeyPolicy(KeyPolicyParams{Partition: "aws-us-gov", Account: "123456789012"})
	if got := sidsOf(bare); !slices.Equal(got, []string{SidEnableIAMPolicies}) {
		t.Fatalf("bare key policy statements %v", got)
	}
	if got := bare.Statement[0].Principal.AWS[0]; got != "arn:aws-us-gov:iam::123456789012:root" {
		t.Fatalf("bare key policy root %s", got)
	}
}

func TestBucketPolicyShape(t *testing.T) {
	p := BucketPolicyParams{Partition: "aws", Bucket: "b", KeyARN: "arn:aws:kms:eu-central-1:123456789012:key/k",
		BackupRoleARN: "arn:aws:iam::123456789012:role/ec2"}
	lenient := sidsOf(BucketPolicy(p))
	want := []string{SidDenyInsecureTransport, SidDenyNonKMSEncryptionHeader, SidDenySSEC, SidDenyOtherKMSKey, SidDenyKMSWithoutKeyID,
		SidAllowBackintRoleObjects, SidAllowBackintRoleBucket}
	if !slices.Equal(lenient, want) {
		t.Fatalf("lenient statements %v, want %v", lenient, want)
	}
	p.RequireEncryptionHeader = true
	strict := BucketPolicy(p)
	if !slices.Contains(sidsOf(strict), SidDenyMissingEncryptionHeader) {
		t.Fatalf("strict policy lacks %s: %v", SidDenyMissingEncryptionHeader, sidsOf(strict))
	}
	// Every StringNotEquals deny carries a Null guard on the same key.
	for _, s := range strict.Statement {
		for key := range s.Condition["StringNotEquals"] {
			if got := s.Condition["Null"][key]; !slices.Equal(got, []string{"false"}) {
				t.Errorf("%s: StringNotEquals on %s without Null guard", s.Sid, key)
			}
		}
	}
	p.BackupRoleARN = ""
	if slices.Contains(sidsOf(BucketPolicy(p)), SidAllowBackintRoleObjects) {
		t.Fatal("policy allows an empty backup role")
	}
}

func TestLogBucketPolicySingleStrings(t *testing.T) {
	d := LogBucketPolicy(LogBucketPolicyParams{Partition: "aws", Account: "123456789012", LogBucket: "logs",
		SourceBucket: "src", Prefix: "p/"})
	js := d.Compact()
	for _, want := range []string{
		`"Principal":{"Service":"logging.s3.amazonaws.com"}`,
		`"Resource":"arn:aws:s3:::logs/p/*"`,
		`"ArnLike":{"aws:SourceArn":"arn:aws:s3:::src"}`,
		`"StringEquals":{"aws:SourceAccount":"123456789012"}`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("log bucket policy lacks %s:\n%s", want, js)
		}
	}
	if got := sidsOf(d); !slices.Equal(got, []string{SidAllowS3ServerAccessLogs, SidDenyInsecureTransport}) {
		t.Fatalf("log bucket statements %v", got)
	}
}

func TestReplicationRolePolicyHasNoWildcardResource(t *testing.T) {
	d := landscapes["aws"].documents()["replication-role-policy"]
	for _, s := range d.Statement {
		if s.Principal != nil || s.NotPrincipal != nil {
			t.Errorf("%s: identity policy statement with a principal", s.Sid)
		}
		for _, r := range s.Resource {
			if r == "*" {
				t.Errorf("%s: Resource \"*\" (Security Hub KMS.1/KMS.2)", s.Sid)
			}
		}
		if len(s.Resource) == 0 {
			t.Errorf("%s: no Resource", s.Sid)
		}
	}
}

func sidsOf(d Document) []string {
	out := make([]string, len(d.Statement))
	for i, s := range d.Statement {
		out[i] = s.Sid
	}
	return out
}
