package memaws_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
)

const s3Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// keyPolicyFor is a key policy with the root statement and usage by users.
func keyPolicyFor(users ...string) string {
	p := `{"Version":"2012-10-17","Statement":[{"Sid":"EnableIAMPolicies","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"kms:*","Resource":"*"}`
	if len(users) > 0 {
		p += `,{"Sid":"Use","Effect":"Allow","Principal":{"AWS":["` + strings.Join(users, `","`) + `"]},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"}`
	}
	return p + `]}`
}

func newKey(t *testing.T, a cloud.Account, region, policy string) cloud.KeyMetadata {
	t.Helper()
	k, err := a.KMS(region).CreateKey(ctx, cloud.CreateKeyInput{Description: "test", Policy: policy})
	must(t, err)
	return k
}

func TestCreateKeyAndPolicyValidation(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	kms := a.KMS(src)
	k := newKey(t, a, src, "")
	if k.KeySpec != "SYMMETRIC_DEFAULT" || k.KeyUsage != "ENCRYPT_DECRYPT" || k.KeyManager != "CUSTOMER" || !k.Enabled ||
		k.Arn != cloud.KeyARN("aws", src, acct, k.KeyID) || len(k.KeyID) != 36 {
		t.Fatalf("key %+v", k)
	}
	pol, err := kms.GetKeyPolicy(ctx, k.KeyID)
	must(t, err)
	if !strings.Contains(pol, `"arn:aws:iam::123456789012:root"`) || !strings.Contains(pol, `"kms:*"`) {
		t.Fatalf("default policy %s", pol)
	}

	adminOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + roleArn(memaws.SeedKMSAdminRole) + `"},"Action":"kms:*","Resource":"*"}]}`
	tests := []struct {
		name, policy, code, msg string
	}{
		{"syntax", `{"Version":"2012-10-17","Statement":[`, cloud.CodeMalformedPolicyDocument, "malformed"},
		{"unknown role", keyPolicyFor(roleArn("ghost")), cloud.CodeMalformedPolicyDocument, "invalid principals"},
		{"wrong role path", keyPolicyFor(cloud.RoleARN("aws", acct, "/other/", memaws.SeedBackupRole)), cloud.CodeMalformedPolicyDocument, "invalid principals"},
		{"lockout", adminOnly, cloud.CodeMalformedPolicyDocument, "will not allow you to update the key policy"},
		{"no resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"kms:*"}]}`, cloud.CodeMalformedPolicyDocument, ""},
		{"services and roles", keyPolicyFor(roleArn(memaws.SeedBackupRole), "arn:aws:iam::111122223333:root"), "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kms.CreateKey(ctx, cloud.CreateKeyInput{Policy: tc.policy})
			if tc.code == "" {
				must(t, err)
				return
			}
			wantMessage(t, err, tc.code, tc.msg)
			wantMessage(t, kms.PutKeyPolicy(ctx, k.KeyID, tc.policy), tc.code, tc.msg)
		})
	}
	// The key admin role itself may lock everyone else out, because it
	// keeps kms:PutKeyPolicy.
	adminView := a.As(roleArn(memaws.SeedKMSAdminRole))
	_, err = adminView.KMS(src).CreateKey(ctx, cloud.CreateKeyInput{Policy: adminOnly})
	must(t, err)

	_, err = kms.CreateKey(ctx, cloud.CreateKeyInput{KeySpec: "AES_999"})
	wantCode(t, err, cloud.CodeValidationException)
	_, err = kms.CreateKey(ctx, cloud.CreateKeyInput{KeySpec: "ECC_NIST_P256", KeyUsage: "ENCRYPT_DECRYPT"})
	wantCode(t, err, cloud.CodeValidationException)
	_, err = kms.CreateKey(ctx, cloud.CreateKeyInput{Tags: []cloud.Tag{{Key: "aws:x", Value: "1"}}})
	wantCode(t, err, "TagException")
}

func TestDescribeKeyReferences(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	kms := a.KMS(src)
	k := newKey(t, a, src, "")
	must(t, kms.CreateAlias(ctx, "alias/hana-backup-hdb", k.KeyID))
	for _, ref := range []string{k.KeyID, k.Arn, "alias/hana-backup-hdb", cloud.AliasARN("aws", src, acct, "alias/hana-backup-hdb")} {
		got, err := kms.DescribeKey(ctx, ref)
		must(t, err)
		if got.KeyID != k.KeyID {
			t.Fatalf("%s resolved to %s", ref, got.KeyID)
		}
	}
	for _, ref := range []string{"alias/nope", "1234abcd-12ab-34cd-56ef-1234567890ab", cloud.KeyARN("aws", dst, acct, k.KeyID)} {
		_, err := kms.DescribeKey(ctx, ref)
		wantCode(t, err, cloud.CodeNotFoundException)
	}
	// Keys are regional.
	_, err := a.KMS(dst).DescribeKey(ctx, k.KeyID)
	wantCode(t, err, cloud.CodeNotFoundException)
	// DescribeKey on alias/aws/s3 creates the AWS managed key.
	m, err := kms.DescribeKey(ctx, "alias/aws/s3")
	must(t, err)
	if m.KeyManager != "AWS" {
		t.Fatalf("aws/s3 key %+v", m)
	}
	wantCode(t, kms.PutKeyPolicy(ctx, m.KeyID, keyPolicyFor()), cloud.CodeUnsupportedOperation)
	_, err = kms.ScheduleKeyDeletion(ctx, m.KeyID, 7)
	wantCode(t, err, cloud.CodeUnsupportedOperation)
}

func TestListKeysAndAliasesPaging(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{NoSeed: true})
	kms := a.KMS(src)
	ids := map[string]bool{}
	for i := 0; i < 120; i++ {
		k := newKey(t, a, src, "")
		ids[k.KeyID] = true
		must(t, kms.CreateAlias(ctx, "alias/k"+k.KeyID[:8]+string(rune('a'+i%26)), k.KeyID))
	}
	seen := map[string]bool{}
	marker, pages := "", 0
	for {
		out, err := kms.ListKeys(ctx, marker)
		must(t, err)
		pages++
		for _, k := range out.Keys {
			if seen[k.KeyID] || !ids[k.KeyID] {
				t.Fatalf("unexpected or repeated key %s", k.KeyID)
			}
			seen[k.KeyID] = true
		}
		if !out.Truncated {
			break
		}
		marker = out.NextMarker
	}
	if len(seen) != 120 || pages != 2 {
		t.Fatalf("listed %d keys in %d pages", len(seen), pages)
	}
	aliases, marker := 0, ""
	for {
		out, err := kms.ListAliases(ctx, "", marker)
		must(t, err)
		aliases += len(out.Aliases)
		if !out.Truncated {
			break
		}
		marker = out.NextMarker
	}
	if aliases != 120+5 { // plus the predefined AWS managed aliases
		t.Fatalf("listed %d aliases", aliases)
	}
}

func TestAliasesArePerRegion(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	k1 := newKey(t, a, src, "")
	k2 := newKey(t, a, dst, "")
	must(t, a.KMS(src).CreateAlias(ctx, "alias/hana-backup-hdb", k1.KeyID))
	must(t, a.KMS(dst).CreateAlias(ctx, "alias/hana-backup-hdb", k2.KeyID))
	wantCode(t, a.KMS(src).CreateAlias(ctx, "alias/hana-backup-hdb", k1.KeyID), cloud.CodeAlreadyExistsException)
	// The target must be a key of the alias's region.
	wantCode(t, a.KMS(src).CreateAlias(ctx, "alias/cross", k2.Arn), cloud.CodeNotFoundException)
	wantCode(t, a.KMS(src).CreateAlias(ctx, "alias/aws/mine", k1.KeyID), cloud.CodeInvalidAliasNameException)
	wantCode(t, a.KMS(src).CreateAlias(ctx, "alias/AWS/mine", k1.KeyID), cloud.CodeInvalidAliasNameException)
	wantCode(t, a.KMS(src).CreateAlias(ctx, "alias/Aws/mine", k1.KeyID), cloud.CodeInvalidAliasNameException)
	wantCode(t, a.KMS(src).CreateAlias(ctx, "hana", k1.KeyID), cloud.CodeInvalidAliasNameException)
	wantCode(t, a.KMS(src).CreateAlias(ctx, "alias/has space", k1.KeyID), cloud.CodeValidationException)
	wantCode(t, a.KMS(src).CreateAlias(ctx, "alias/to-alias", "alias/hana-backup-hdb"), cloud.CodeValidationException)

	must(t, a.KMS(src).DeleteAlias(ctx, "alias/hana-backup-hdb"))
	got, err := a.KMS(dst).DescribeKey(ctx, "alias/hana-backup-hdb")
	must(t, err)
	if got.KeyID != k2.KeyID {
		t.Fatalf("replica alias points at %s", got.KeyID)
	}
	wantCode(t, a.KMS(src).DeleteAlias(ctx, "alias/hana-backup-hdb"), cloud.CodeNotFoundException)

	k3 := newKey(t, a, dst, "")
	must(t, a.KMS(dst).UpdateAlias(ctx, "alias/hana-backup-hdb", k3.Arn))
	byKey, err := a.KMS(dst).ListAliases(ctx, k3.KeyID, "")
	must(t, err)
	if len(byKey.Aliases) != 1 || byKey.Aliases[0].TargetKeyID != k3.KeyID ||
		byKey.Aliases[0].AliasArn != cloud.AliasARN("aws", dst, acct, "alias/hana-backup-hdb") {
		t.Fatalf("aliases of key: %+v", byKey)
	}
	wantCode(t, a.KMS(dst).UpdateAlias(ctx, "alias/none", k3.KeyID), cloud.CodeNotFoundException)
}

func TestKeyRotationAndTags(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	kms := a.KMS(src)
	k := newKey(t, a, src, "")
	on, err := kms.GetKeyRotationStatus(ctx, k.KeyID)
	must(t, err)
	if on {
		t.Fatal("rotation on for a new key")
	}
	must(t, kms.EnableKeyRotation(ctx, k.Arn))
	on, err = kms.GetKeyRotationStatus(ctx, k.KeyID)
	must(t, err)
	if !on {
		t.Fatal("rotation still off")
	}
	must(t, kms.DisableKeyRotation(ctx, k.KeyID))
	rsa, err := kms.CreateKey(ctx, cloud.CreateKeyInput{KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY"})
	must(t, err)
	wantCode(t, kms.EnableKeyRotation(ctx, rsa.KeyID), cloud.CodeUnsupportedOperation)

	must(t, kms.TagResource(ctx, k.KeyID, []cloud.Tag{{Key: "hanavault:sid", Value: "HDB"}, {Key: "empty", Value: ""}}))
	must(t, kms.TagResource(ctx, k.Arn, []cloud.Tag{{Key: "hanavault:sid", Value: "QAS"}}))
	tags, err := kms.ListResourceTags(ctx, k.KeyID)
	must(t, err)
	if len(tags) != 2 || tags[0] != (cloud.Tag{Key: "hanavault:sid", Value: "QAS"}) {
		t.Fatalf("tags %+v", tags)
	}
	wantCode(t, kms.TagResource(ctx, k.KeyID, []cloud.Tag{{Key: "aws:reserved", Value: "x"}}), "TagException")
	_, err = kms.ListResourceTags(ctx, "alias/sap-ebs")
	wantCode(t, err, cloud.CodeNotFoundException)
}

func TestKeyDeletionLifecycle(t *testing.T) {
	a, clk := newAccount(t, memaws.Options{})
	kms := a.KMS(src)
	k := newKey(t, a, src, "")
	must(t, kms.CreateAlias(ctx, "alias/doomed", k.KeyID))
	for _, days := range []int32{6, 31, -1} {
		_, err := kms.ScheduleKeyDeletion(ctx, k.KeyID, days)
		wantCode(t, err, cloud.CodeValidationException)
	}
	when, err := kms.ScheduleKeyDeletion(ctx, k.Arn, 7)
	must(t, err)
	if !when.Equal(clk.Now().Add(7 * 24 * time.Hour)) {
		t.Fatalf("deletion date %v", when)
	}
	m, err := kms.DescribeKey(ctx, k.KeyID)
	must(t, err)
	if m.KeyState != "PendingDeletion" || m.Enabled || !m.DeletionDate.Equal(when) {
		t.Fatalf("scheduled key %+v", m)
	}
	_, err = kms.ScheduleKeyDeletion(ctx, k.KeyID, 7)
	wantCode(t, err, cloud.CodeKMSInvalidStateException)
	_, err = kms.GetKeyRotationStatus(ctx, k.KeyID)
	wantCode(t, err, cloud.CodeKMSInvalidStateException)
	wantCode(t, kms.EnableKeyRotation(ctx, k.KeyID), cloud.CodeKMSInvalidStateException)
	wantCode(t, kms.EnableKey(ctx, k.KeyID), cloud.CodeKMSInvalidStateException)
	wantCode(t, kms.CreateAlias(ctx, "alias/late", k.KeyID), cloud.CodeKMSInvalidStateException)

	must(t, kms.CancelKeyDeletion(ctx, k.KeyID))
	m, err = kms.DescribeKey(ctx, k.KeyID)
	must(t, err)
	if m.KeyState != "Disabled" || !m.DeletionDate.IsZero() {
		t.Fatalf("cancelled key %+v, want Disabled", m)
	}
	wantCode(t, kms.CancelKeyDeletion(ctx, k.KeyID), cloud.CodeKMSInvalidStateException)
	wantCode(t, kms.EnableKeyRotation(ctx, k.KeyID), cloud.CodeDisabledException)
	must(t, kms.EnableKey(ctx, k.KeyID))
	m, err = kms.DescribeKey(ctx, k.KeyID)
	must(t, err)
	if m.KeyState != "Enabled" || !m.Enabled {
		t.Fatalf("enabled key %+v", m)
	}

	_, err = kms.ScheduleKeyDeletion(ctx, k.KeyID, 0) // default window: 30 days
	must(t, err)
	clk.Advance(30*24*time.Hour - time.Second)
	_, err = kms.DescribeKey(ctx, "alias/doomed")
	must(t, err)
	clk.Advance(time.Second)
	_, err = kms.DescribeKey(ctx, k.KeyID)
	wantCode(t, err, cloud.CodeNotFoundException)
	aliases, err := kms.ListAliases(ctx, "", "")
	must(t, err)
	for _, al := range aliases.Aliases {
		if al.AliasName == "alias/doomed" {
			t.Fatal("alias of a deleted key survived")
		}
	}
}

func TestGrants(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	k := newKey(t, a, src, "")
	kms := a.KMS(src)
	out, err := kms.ListGrants(ctx, k.KeyID, "")
	must(t, err)
	if len(out.Grants) != 0 || out.Truncated {
		t.Fatalf("new key has grants: %+v", out)
	}
	grantee := roleArn(memaws.SeedAppServerRole)
	id, err := a.CreateGrant(ctx, src, k.Arn, grantee, "ebs", []string{"Decrypt", "GenerateDataKey"})
	must(t, err)
	if len(id) != 64 {
		t.Fatalf("grant ID %q", id)
	}
	_, err = a.CreateGrant(ctx, src, k.KeyID, grantee, "", []string{"Launch"})
	wantCode(t, err, cloud.CodeValidationException)
	for i := 0; i < 59; i++ {
		_, err := a.CreateGrant(ctx, src, k.KeyID, grantee, "", []string{"Encrypt"})
		must(t, err)
	}
	var all []cloud.Grant
	marker := ""
	pages := 0
	for {
		out, err := kms.ListGrants(ctx, k.Arn, marker)
		must(t, err)
		all = append(all, out.Grants...)
		pages++
		if !out.Truncated {
			break
		}
		marker = out.NextMarker
	}
	if len(all) != 60 || pages != 2 {
		t.Fatalf("%d grants in %d pages, want 60 in 2", len(all), pages)
	}
	found := false
	for _, g := range all {
		if g.GrantID == id {
			found = g.GranteePrincipal == grantee && g.KeyArn == k.Arn && g.Name == "ebs" &&
				len(g.Operations) == 2 && g.IssuingAccount == "arn:aws:iam::"+acct+":root"
		}
	}
	if !found {
		t.Fatalf("grant %s not listed as created: %+v", id, all)
	}
	// ListGrants takes no alias.
	must(t, kms.CreateAlias(ctx, "alias/granted", k.KeyID))
	_, err = kms.ListGrants(ctx, "alias/granted", "")
	wantCode(t, err, cloud.CodeNotFoundException)
	_, err = kms.ScheduleKeyDeletion(ctx, k.KeyID, 7)
	must(t, err)
	_, err = a.CreateGrant(ctx, src, k.KeyID, grantee, "", []string{"Decrypt"})
	wantCode(t, err, cloud.CodeKMSInvalidStateException)
}
