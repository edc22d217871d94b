package spec

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// The reference checks below restate the rules a second way (regular
// expressions and the lists as written in the task) so that the fuzzers can
// compare them with the validators.

var (
	refBucketShape = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	refIPShape     = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$`)
	refAliasShape  = regexp.MustCompile(`^alias/[A-Za-z0-9/_-]{1,250}$`)
	refSIDShape    = regexp.MustCompile(`^[A-Z][A-Z0-9]{2}$`)
	refReserved    = " ADD ALL AMD AND ANY ARE ASC AUX AVG BIN BIT CDC COM CON DBA END EPS FOR GET GID IBM INT KEY " +
		"LOG LPT MAP MAX MIN MON NIX NOT NUL OFF OLD OMS OUT PAD PRN RAW REF ROW SAP SET SGA SHG SID SQL SUM " +
		"SYS TMP TOP UID USE USR VAR "
)

func refBucketOK(s string) bool {
	if !refBucketShape.MatchString(s) || strings.Contains(s, "..") || refIPShape.MatchString(s) {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(s, p) {
			return false
		}
	}
	for _, x := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(s, x) {
			return false
		}
	}
	return true
}

func refAliasOK(a string) bool {
	return refAliasShape.MatchString(a) && !strings.HasPrefix(a, "alias/aws/")
}

func refSIDOK(s string) bool {
	return refSIDShape.MatchString(s) && !strings.Contains(refReserved, " "+s+" ")
}

func FuzzValidateBucketName(f *testing.F) {
	for _, s := range []string{"abc", "a..b", "192.168.5.4", "xn--a", "a-s3alias", "My_Bucket", "a.b-c", "-ab", strings.Repeat("a", 64), "1.2.3.4.5", "abc.mrap"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateBucketName(s)
		if (err == nil) != refBucketOK(s) {
			t.Fatalf("ValidateBucketName(%q) = %v, reference says valid=%v", s, err, refBucketOK(s))
		}
		if err != nil && err.Error() == "" {
			t.Fatalf("ValidateBucketName(%q): empty rule", s)
		}
	})
}

func FuzzValidateAlias(f *testing.F) {
	for _, s := range []string{"alias/x", "x", " alias/aws/x ", "alias/", "", "alias/a b", "aws/", strings.Repeat("k", 251)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norm, err := ValidateAlias(s)
		want := strings.TrimSpace(s)
		if want != "" && !strings.HasPrefix(want, "alias/") {
			want = "alias/" + want
		}
		if norm != want {
			t.Fatalf("ValidateAlias(%q) normalised to %q, want %q", s, norm, want)
		}
		if (err == nil) != refAliasOK(norm) {
			t.Fatalf("ValidateAlias(%q) = %v, reference says valid=%v", s, err, refAliasOK(norm))
		}
		again, err2 := ValidateAlias(norm)
		if again != norm || (err2 == nil) != (err == nil) {
			t.Fatalf("ValidateAlias is not idempotent on %q: %q, %v", norm, again, err2)
		}
	})
}

func FuzzValidateSID(f *testing.F) {
	for _, s := range []string{"HAN", "han", "SAP", "1AB", "A1", "ÄBC", "sap", "A_B", "P01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateSID(s)
		if (err == nil) != refSIDOK(s) {
			t.Fatalf("ValidateSID(%q) = %v, reference says valid=%v", s, err, refSIDOK(s))
		}
	})
}

// stringsOf returns every string of l, tags included.
func stringsOf(l Landscape) []string {
	out := []string{l.SID, l.SourceRegion, l.ReplicationRegion, l.OriginalBucketName, l.OriginalCMKAlias,
		l.ReplicationBucketName, l.ReplicationCMKAlias, l.EC2RoleToRunBackup, l.KMSAdminRole,
		l.BucketNameForLambdaCode, l.OriginalLogBucketName, l.ReplicationLogBucketName,
		l.ReplicationRoleName, l.Lifecycle.StorageClass}
	for k, v := range l.Tags {
		out = append(out, k, v)
	}
	return out
}

func allUTF8(l Landscape) bool {
	for _, s := range stringsOf(l) {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

// checkRoundTrip asserts Parse(Marshal(l)) == l.Normalized() for
// landscapes YAML can represent (valid UTF-8), and that Marshal's output
// always parses.
func checkRoundTrip(t *testing.T, l Landscape) {
	t.Helper()
	out := Marshal(l)
	got, err := Parse(out, "landscape.yaml")
	if err != nil {
		t.Fatalf("Parse(Marshal(l)) failed: %v\n%s", err, out)
	}
	if !allUTF8(l) {
		return
	}
	if d := cmp.Diff(l.Normalized(), got); d != "" {
		t.Fatalf("Parse(Marshal(l)) != l.Normalized() (-want +got):\n%s\n%s", d, out)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"landscape.golden", "init.golden"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"sid: HAN\n", "lifecycle:\n  transitionDays: 0\n", "tags:\n  a: 1\n", "sid: 0123\n", "- a\n",
		"sid: &a x\nkmsAdminRole: *a\n", "<<: {sid: a}\n", "{sid: HAN, tags: {x: y}}", "sid: \"\\u2028\"\n",
		"---\n---\n", "%YAML 1.2\n---\nsid: HAN\n", "? sid\n: HAN\n", "tags:\n  ~: x\n", "sid: |\n  x\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(data, "f.yaml")
		if err != nil {
			var pes ParseErrors
			if !errors.As(err, &pes) || len(pes) == 0 {
				t.Fatalf("Parse error %v (%T) is not a non-empty ParseErrors", err, err)
			}
			for _, e := range pes {
				if e.Msg == "" || e.Line < 0 || e.Col < 0 || e.File != "f.yaml" {
					t.Fatalf("malformed ParseError %+v", e)
				}
			}
			return
		}
		_ = l.Validate()
		_ = l.Warnings()
		checkRoundTrip(t, l)
	})
}

func FuzzMarshalRoundTrip(f *testing.F) {
	f.Add("HAN", "eu-central-1", "eu-west-1", "hana-backup-han", "alias/k", "dr-bucket", "k", "Role", "arn:aws:iam::123456789012:role/x",
		"", "", "", "", "GLACIER", 7, 365, 30, 7, 365, 30, 0, false, true, false, "CostCenter", "4711")
	f.Add(" x ", "true", "null", "1.5", "a: b", "#c", "'q'", "[x]", "{y}", "&a", "*b", "!t", "%d", "", 0, 0, 0, 0, 0, 0, -1, true, false, true, "", "")
	f.Add("\u2028", "\x00", "\ufeff", "\"", "\\", "\t", "\n", "é", "😀", "\u0085", "\r\n", "a\u00a0", " ", "\x7f", -5, 1<<40, -1<<40, 3, 4, 5, 6, true, true, true, "x:y", "\x01")
	f.Fuzz(func(t *testing.T, sid, src, dst, ob, oa, rb, ra, ec2, admin, lambda, olog, rlog, role, class string,
		td, ad, nd, abd, lr, kd, rw int, rtc, dmr, reh bool, tagK, tagV string) {
		l := Landscape{
			SID: sid, SourceRegion: src, ReplicationRegion: dst,
			OriginalBucketName: ob, OriginalCMKAlias: oa, ReplicationBucketName: rb, ReplicationCMKAlias: ra,
			EC2RoleToRunBackup: ec2, KMSAdminRole: admin, BucketNameForLambdaCode: lambda,
			OriginalLogBucketName: olog, ReplicationLogBucketName: rlog, ReplicationRoleName: role,
			Lifecycle:        Lifecycle{TransitionDays: td, StorageClass: class, ArchiveDays: ad, NoncurrentExpirationDays: nd, AbortIncompleteMultipartDays: abd},
			LogRetentionDays: lr, KMSDeletionWindowDays: kd, RecoveryWindowDays: rw,
			ReplicationTimeControl: rtc, DeleteMarkerReplication: dmr, RequireEncryptionHeader: reh,
		}
		if tagK != "" || tagV != "" {
			l.Tags = map[string]string{tagK: tagV, "fixed": tagV + tagK}
		}
		checkRoundTrip(t, l)
		n := l.Normalized()
		if d := cmp.Diff(n, n.Normalized()); d != "" {
			t.Fatalf("Normalized is not idempotent:\n%s", d)
		}
	})
}
