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

	"github.com/goccy/go-yaml"
)

// pipelineCommands extracts, in order, the ghostaudit command lines of a
// CI file and the job's environment. GitHub: jobs.*.env and steps[].run;
// GitLab: <job>.variables, script and after_script.
func pipelineCommands(t *testing.T, path string) (cmds []string, env map[string]string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	env = map[string]string{}
	lines := func(v any) {
		var texts []string
		switch x := v.(type) {
		case string:
			texts = []string{x}
		case []any:
			for _, e := range x {
				if s, ok := e.(string); ok {
					texts = append(texts, s)
				}
			}
		}
		for _, text := range texts {
			for _, l := range strings.Split(text, "\n") {
				if l = strings.TrimSpace(l); strings.HasPrefix(l, "ghostaudit ") {
					cmds = append(cmds, l)
				}
			}
		}
	}
	addEnv := func(v any) {
		if m, ok := v.(map[string]any); ok {
			for k, val := range m {
				if s, ok := val.(string); ok && strings.HasPrefix(k, "GHOSTAUDIT_") {
					env[k] = s
				}
			}
		}
	}
	if jobs, ok := doc["jobs"].(map[string]any); ok { // GitHub Actions
		for _, j := range jobs {
			job := j.(map[string]any)
			addEnv(job["env"])
			steps, _ := job["steps"].([]any)
			for _, s := range steps {
				if step, ok := s.(map[string]any); ok {
					lines(step["run"])
				}
			}
		}
		return cmds, env
	}
	for _, j := range doc { // GitLab CI
		job, ok := j.(map[string]any)
		if !ok {
			continue
		}
		addEnv(job["variables"])
		lines(job["script"])
		lines(job["after_script"])
	}
	return cmds, env
}

// shellWords splits a command line as sh would for the simple commands the
// CI files use: quotes, $VAR expansion, and > / >> redirections.
func shellWords(line string, env map[string]string) (args []string, redirect string, appendTo bool) {
	var cur strings.Builder
	inWord, quote := false, rune(0)
	flush := func() {
		if inWord {
			args = append(args, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case quote == '\'' && c != '\'':
			cur.WriteRune(c)
		case c == '\'' || c == '"':
			if quote == c {
				quote = 0
			} else if quote == 0 {
				quote, inWord = c, true
			} else {
				cur.WriteRune(c)
			}
		case c == '$' && quote != '\'':
			j := i + 1
			for j < len(rs) && (rs[j] == '_' || rs[j] >= 'A' && rs[j] <= 'Z' || rs[j] >= '0' && rs[j] <= '9') {
				j++
			}
			cur.WriteString(env[string(rs[i+1:j])])
			inWord, i = true, j-1
		case quote == 0 && c == '>':
			flush()
			appendTo = i+1 < len(rs) && rs[i+1] == '>'
			rest := strings.TrimSpace(string(rs[i+1:]))
			rest = strings.TrimSpace(strings.TrimPrefix(rest, ">"))
			target, _, _ := shellWords(rest, env)
			if len(target) > 0 {
				redirect = target[0]
			}
			return args, redirect, appendTo
		case quote == 0 && (c == ' ' || c == '\t'):
			flush()
		default:
			cur.WriteRune(c)
			inWord = true
		}
	}
	flush()
	return args, redirect, appendTo
}

// TestCIPipelines runs the ghostaudit commands of docs/ci/*.yml, in order,
// twice (two scheduled runs sharing the ledger), against the simulators.
func TestCIPipelines(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	for _, file := range []string{"../../docs/ci/github-actions.yml", "../../docs/ci/gitlab-ci.yml"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			cmds, jobEnv := pipelineCommands(t, file)
			if len(cmds) < 2 {
				t.Fatalf("%s: found %d ghostaudit commands", file, len(cmds))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			sim := exec.CommandContext(ctx, bin, "sim", "--estate", "../../testdata/estates/demo.yaml")
			sim.Env = cleanEnv(t)
			stdout, _ := sim.StdoutPipe()
			if err := sim.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = sim.Process.Signal(os.Interrupt); _ = sim.Wait() }()
			var exports []string
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				exports = append(exports, strings.TrimPrefix(sc.Text(), "export "))
				if strings.HasPrefix(sc.Text(), "export GHOSTAUDIT_AWS_ACCOUNTS=") {
					break
				}
			}
			work := t.TempDir()
			summary := filepath.Join(work, "step-summary.md")
			env := map[string]string{"GITHUB_STEP_SUMMARY": summary}
			for k, v := range jobEnv {
				env[k] = v
			}
			for run := 1; run <= 2; run++ {
				for _, line := range cmds {
					args, redirect, appendTo := shellWords(line, env)
					cmd := exec.CommandContext(ctx, bin, args[1:]...)
					cmd.Dir = work
					cmd.Env = append(cleanEnv(t), exports...)
					for k, v := range env {
						cmd.Env = append(cmd.Env, k+"="+v)
					}
					var out strings.Builder
					cmd.Stdout, cmd.Stderr = &out, &out
					err := cmd.Run()
					code := 0
					if ee, ok := err.(*exec.ExitError); ok {
						code = ee.ExitCode()
					} else if err != nil {
						t.Fatalf("%s: %v", line, err)
					}
					// The first run sets the baseline; the second finds nothing new.
					if code != 0 {
						t.Fatalf("run %d: %s: exit %d\n%s", run, line, code, out.String())
					}
					if redirect != "" {
						target := redirect
						if !filepath.IsAbs(target) {
							target = filepath.Join(work, target)
						}
						flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
						if appendTo {
							flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
						}
						f, err := os.OpenFile(target, flags, 0o644)
						if err != nil {
							t.Fatal(err)
						}
						f.WriteString(out.String())
						f.Close()
					}
				}
			}
			for _, want := range []string{"ghostaudit.xlsx", "findings.json", "summary.md"} {
				if st, err := os.Stat(filepath.Join(work, want)); err != nil || st.Size() == 0 {
					t.Errorf("%s: %s not written", file, want)
				}
			}
			if ledger := filepath.Join(work, jobEnv["GHOSTAUDIT_LEDGER"]); jobEnv["GHOSTAUDIT_LEDGER"] == "" || !fileExists(ledger) {
				t.Errorf("%s: the ledger %q was not kept", file, jobEnv["GHOSTAUDIT_LEDGER"])
			}
		})
	}
}

func TestShellWords(t *testing.T) {
	t.Parallel()
	args, redirect, appendTo := shellWords(`ghostaudit diff --format md --fail-on 'new-savings>=500' >> "$S"`, map[string]string{"S": "/tmp/x"})
	if strings.Join(args, "|") != "ghostaudit|diff|--format|md|--fail-on|new-savings>=500" || redirect != "/tmp/x" || !appendTo {
		t.Errorf("%q %q %v", args, redirect, appendTo)
	}
}
