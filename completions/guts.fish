function __guts_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __guts_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __guts_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __guts_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __guts_parse_tokens -S
    set -l unparsed_tokens (__guts_tokens -pc)
    switch $unparsed_tokens[1]
    case 'guts'
        __guts_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'serve'
            __guts_parse_subcommand 0 'listen=' 'data-dir=' 'config=' 'storage=' 'block-cache=' 'object-cache=' 'log-format=' 'log-level=' 'request-timeout=' 'profile-continuous' 'profile-rate=' 'profile-allocations=' 'public-url=' 'webhook-allowed-hosts=' 'etcd=' 'node-name=' 'advertise=' 'replication=' 'cluster-token-file=' 'version' 'h/help'
        case 'bench'
            __guts_parse_subcommand -r 1 'url=' 'token=' 'json' 'html=' 'save-baseline=' 'baseline=' 'baseline-dir=' 'threshold=' 'fail-on=+' 'duration=' 'warmup=' 'samples=' 'connections=' 'write-connections=' 'rate=' 'clone-rate=' 'push-rate=' 'rate-concurrency=' 'path=' 'sizes=' 'threads=' 'batches=' 'backends=' 'objects=' 'clone-mb=' 'repository=' 'peer=' 'push-samples=' 'push-bytes=' 'mix=' 'mix-rate=' 'interval=' 'drift=' 'hold=' 'repos=' 'version' 'h/help'
        case 'profile'
            __guts_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'record'
                __guts_parse_subcommand -r 1 'node=' 'token=' 'data-dir=' 'since=' 'duration=' 'rate=' 'mode=' 'folded=' 'svg=' 'speedscope=' 'pprof=' 'memory-csv=' 'memory-json=' 'memory-svg=' 'memory-interval=' 'alloc-svg=' 'alloc-folded=' 'inuse-svg=' 'inuse-folded=' 'alloc-interval=' 'threads' 'heap' 'heap-sample=' 'version' 'h/help'
            case 'diff'
                __guts_parse_subcommand 2 'svg=' 'title=' 'version' 'h/help'
            end
        case 'compact'
            __guts_parse_subcommand 0 'data-dir=' 'node=' 'token=' 'json' 'quiet' 'all-members' 'cf=+' 'max-duration=' 'prune-unreachable=' 'repack' 'repo=+' 'rate=' 'version' 'h/help'
        case 'migrate'
            __guts_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'import'
                __guts_parse_subcommand 1 'data-dir=' 'node=' 'token=' 'json' 'quiet' 'name=' 'version' 'h/help'
            case 'export'
                __guts_parse_subcommand 2 'data-dir=' 'node=' 'token=' 'json' 'quiet' 'version' 'h/help'
            case 'status'
                __guts_parse_subcommand 0 'data-dir=' 'node=' 'token=' 'json' 'quiet' 'version' 'h/help'
            case 'up'
                __guts_parse_subcommand 0 'data-dir=' 'node=' 'token=' 'json' 'quiet' 'to=' 'dry-run' 'version' 'h/help'
            case 'down'
                __guts_parse_subcommand 0 'data-dir=' 'node=' 'token=' 'json' 'quiet' 'dry-run' 'version' 'h/help'
            end
        case 'fsck'
            __guts_parse_subcommand 0 'data-dir=' 'node=' 'token=' 'json' 'quiet' 'all-members' 'repo=+' 'max-duration=' 'rate=' 'version' 'h/help'
        case 'backup'
            __guts_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'create'
                __guts_parse_subcommand 0 'data-dir=' 'node=' 'token=' 'json' 'quiet' 'to=' 'keep=' 'version' 'h/help'
            case 'list'
                __guts_parse_subcommand 0 'from=' 'json' 'quiet' 'version' 'h/help'
            case 'verify'
                __guts_parse_subcommand 0 'from=' 'json' 'quiet' 'id=' 'version' 'h/help'
            case 'restore'
                __guts_parse_subcommand 0 'from=' 'json' 'quiet' 'id=' 'data-dir=' 'version' 'h/help'
            end
        case 'archive'
            __guts_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'get'
                __guts_parse_subcommand 2 'data-dir=' 'node=' 'token=' 'json' 'quiet' 'format=' 'o/output=' 'version' 'h/help'
            case 'warm'
                __guts_parse_subcommand 0 'data-dir=' 'node=' 'token=' 'json' 'quiet' 'repo=+' 'tags=' 'version' 'h/help'
            case 'prune'
                __guts_parse_subcommand 0 'data-dir=' 'node=' 'token=' 'json' 'quiet' 'max-bytes=' 'older-than=' 'version' 'h/help'
            end
        case 'cache-stats'
            __guts_parse_subcommand 0 'data-dir=' 'node=' 'token=' 'json' 'quiet' 'all-members' 'format=' 'interval=' 'count=' 'version' 'h/help'
        case 'help'
            __guts_parse_subcommand -r 1 'version'
        end
    end
end

function __guts_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __guts_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __guts_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __guts_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__guts_tokens -p)
    if test -z "$(__guts_tokens -t)"
        set -l index (count (__guts_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'guts' -f
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts" -eq 1' -fa 'serve' -d 'Run a Guts node: git smart HTTP, JSON API, health and metrics.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts" -eq 1' -fa 'bench' -d 'Measure a Guts node: storage, API, clone, push, connections, repositories, mixed traffic, soak.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts" -eq 1' -fa 'profile' -d 'Profile CPU and memory of a guts subcommand run in this process, or of a running node.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts" -eq 1' -fa 'compact' -d 'Prune unreachable objects, deltify whole ones, compact RocksDB column families; report what changed.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts" -eq 1' -fa 'migrate' -d 'Import and export git repositories; move storage between schema versions.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts" -eq 1' -fa 'fsck' -d 'Re-verify stored objects, their syntax, every ref\'s history, the commit graph and RocksDB checksums.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts" -eq 1' -fa 'backup' -d 'Take, list, verify and restore consistent, incremental backups of a data directory.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts" -eq 1' -fa 'archive' -d 'Build, pre-generate and prune commit archives (tar, tar.gz, zip).'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts" -eq 1' -fa 'cache-stats' -d 'Show entries, bytes, hits, misses and evictions of every cache.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" listen' -l 'listen' -d 'Address to listen on, host:port.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" data-dir' -l 'data-dir' -d 'Directory holding the node\'s data.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" config' -l 'config' -d 'A JSON config file.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" storage' -l 'storage' -d 'Storage backend: rocksdb or memory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" block-cache' -l 'block-cache' -d 'RocksDB block cache size in bytes.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" object-cache' -l 'object-cache' -d 'Object cache size in bytes.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" log-format' -l 'log-format' -d 'Log format: text or json.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" log-level' -l 'log-level' -d 'Log level: trace, debug, info, notice, warning, error.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" request-timeout' -l 'request-timeout' -d 'Time a whole request may take, response included, e.g. 300 or 10m; 0 for no limit (default 1h).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" profile-continuous' -l 'profile-continuous' -d 'Sample CPU continuously at a low rate into a one-hour ring (dump with guts profile --node URL --since 10m).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" profile-rate' -l 'profile-rate' -d 'Continuous sampling rate in Hz (default 19).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" profile-allocations' -l 'profile-allocations' -d 'Sample allocations, one per this many bytes on average (e.g. 524288), for the heap in use (guts profile --node URL --heap).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" public-url' -l 'public-url' -d 'The node\'s URL as clients reach it, for clone_url and html_url, Git LFS and webhook links (default: the listen address).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" webhook-allowed-hosts' -l 'webhook-allowed-hosts' -d 'Comma-separated webhook destinations allowed besides public addresses: loopback, private, *, CIDR blocks or host names.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" etcd' -l 'etcd' -d 'Join a cluster: comma-separated etcd client URLs (http://10.0.0.1:2379,...).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" node-name' -l 'node-name' -d 'This node\'s name in the cluster, unique among its nodes.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" advertise' -l 'advertise' -d 'The URL other cluster nodes reach this one at (default: http:// and the listen address).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" replication' -l 'replication' -d 'Replicas of each repository in the cluster (default 3).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" cluster-token-file' -l 'cluster-token-file' -d 'A file holding the token cluster nodes authenticate each other with (or GUTS_CLUSTER_TOKEN).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" url' -l 'url' -d 'A running node, http://host:port (cluster: the nodes of a cluster, comma-separated).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" token' -l 'token' -d 'Token for --url (default: GUTS_TOKEN).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" json' -l 'json' -d 'Print the report as JSON.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" html' -l 'html' -d 'Also write a self-contained HTML report (with --baseline beside the run) to FILE.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" save-baseline' -l 'save-baseline' -d 'Save the result as baseline NAME.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" baseline' -l 'baseline' -d 'Compare with baseline NAME; exit 1 on regression.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" baseline-dir' -l 'baseline-dir' -d 'Where baselines live.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" threshold' -l 'threshold' -d 'Noise threshold in percent.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench"' -l 'fail-on' -d 'Exit 3 unless METRIC<VALUE[unit] holds (also <=, >, >=); repeatable.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" duration' -l 'duration' -d 'Length of each measured sample (soak: of the whole run), e.g. 10, 10s, 30m.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" warmup' -l 'warmup' -d 'Seconds of warm-up.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" samples' -l 'samples' -d 'Repeated samples.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" connections' -l 'connections' -d 'API read connections.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" write-connections' -l 'write-connections' -d 'API write connections.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" rate' -l 'rate' -d 'Also run API reads at this constant request rate (req/s).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" clone-rate' -l 'clone-rate' -d 'Also run clones open loop at this rate (clones/s).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" push-rate' -l 'push-rate' -d 'Also run git pushes open loop at this rate (pushes/s).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" rate-concurrency' -l 'rate-concurrency' -d 'Most clones or pushes in flight in the open-loop runs.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" path' -l 'path' -d 'API read endpoint.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" sizes' -l 'sizes' -d 'Storage object sizes in bytes, comma separated.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" threads' -l 'threads' -d 'Storage thread counts, comma separated.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" batches' -l 'batches' -d 'Storage batch sizes, comma separated.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" backends' -l 'backends' -d 'Storage backends: rocksdb,memory,tiered.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" objects' -l 'objects' -d 'Storage objects per cell.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" clone-mb' -l 'clone-mb' -d 'Size of the generated clone repository.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" repository' -l 'repository' -d 'A local repository with real history: clone clones and fetches it, push pushes all of it.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" peer' -l 'peer' -d 'Also run git\'s own server on the same history and report ratios: git-daemon or http-backend (nginx + fcgiwrap).' -rfka 'git-daemon http-backend'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" push-samples' -l 'push-samples' -d 'Pushes measured.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" push-bytes' -l 'push-bytes' -d 'New content per push.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" mix' -l 'mix' -d 'mix and soak: class weights, e.g. reads=90,fetches=5,pushes=3,clones=2.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" mix-rate' -l 'mix-rate' -d 'mix and soak: operations per second, all classes together.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" interval' -l 'interval' -d 'soak: time between samples, e.g. 60s.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" drift' -l 'drift' -d 'soak: flag a series whose trend changes by more than this percent over the run.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" hold' -l 'hold' -d 'Idle connections the connections scenario holds.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" repos' -l 'repos' -d 'Repositories the repos scenario creates.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts bench" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts profile" -eq 1' -fa 'record' -d 'Run a guts subcommand in-process, or profile a running node, while sampling CPU (and memory).'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts profile" -eq 1' -fa 'diff' -d 'Render a differential flamegraph (growth red, shrinkage blue) of two folded profiles.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" node' -l 'node' -d 'URL of a running node to profile through its admin endpoint instead of running a subcommand.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" token' -l 'token' -d 'Admin token for --node (default: $GUTS_ADMIN_TOKEN, then <data-dir>/admin-token).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" data-dir' -l 'data-dir' -d 'The node\'s data directory, to find its URL (node.json) and admin token.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" since' -l 'since' -d 'With --node: dump the node\'s continuous profile over this window (e.g. 10m) instead of sampling now.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" duration' -l 'duration' -d 'Stop after this long even if the subcommand is still running (e.g. 30s, 500ms).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" rate' -l 'rate' -d 'CPU samples per second of process CPU time (wall: per second of wall time, on every thread).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" mode' -l 'mode' -d 'cpu: running threads, by CPU time; wall: every thread, running or blocked, with thread names as root frames.' -rfka 'cpu wall'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" folded' -l 'folded' -d 'Write folded stacks (flamegraph.pl, speedscope) here.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" svg' -l 'svg' -d 'Write an interactive SVG flamegraph here.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" speedscope' -l 'speedscope' -d 'Write speedscope JSON here.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" pprof' -l 'pprof' -d 'Write a gzip pprof profile (profile.proto) here.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" memory-csv' -l 'memory-csv' -d 'Write the memory timeline as CSV here.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" memory-json' -l 'memory-json' -d 'Write the memory timeline as JSON here.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" memory-svg' -l 'memory-svg' -d 'Write a plot of the memory timeline here.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" memory-interval' -l 'memory-interval' -d 'Memory sampling interval.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" alloc-svg' -l 'alloc-svg' -d 'Write an SVG flamegraph of sampled allocated bytes here.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" alloc-folded' -l 'alloc-folded' -d 'Write folded stacks of sampled allocated bytes here.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" inuse-svg' -l 'inuse-svg' -d 'Write an SVG flamegraph of sampled bytes still in use at the end here.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" inuse-folded' -l 'inuse-folded' -d 'Write folded stacks of sampled bytes still in use at the end here.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" alloc-interval' -l 'alloc-interval' -d 'Mean bytes allocated between allocation samples.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" threads' -l 'threads' -d 'Add a root frame per thread (thread <tid>) to every stack.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" heap' -l 'heap' -d 'With --node: write the node\'s sampled heap (in use now and allocated since start, by stack) instead of CPU; needs a node started with --profile-allocations.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" heap-sample' -l 'heap-sample' -d 'With --heap: the value folded, SVG and speedscope show: inuse_space, inuse_objects, alloc_space or alloc_objects (pprof has all four).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile record" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile diff" svg' -l 'svg' -d 'Write the SVG here (default: standard output).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile diff" title' -l 'title' -d 'Graph title.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile diff" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts profile diff" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts compact" data-dir' -l 'data-dir' -d 'The node\'s data directory (default: $GUTS_DATA_DIR).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts compact" node' -l 'node' -d 'URL of a running node to work through instead of opening the data directory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts compact" token' -l 'token' -d 'Admin token for --node (default: $GUTS_ADMIN_TOKEN, then <data-dir>/admin-token).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts compact" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts compact" quiet' -l 'quiet' -d 'Print nothing but errors (for cron).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts compact" all-members' -l 'all-members' -d 'In a cluster: ask the node (--node, or the one holding --data-dir) for the live members and run on each, reporting per node.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts compact"' -l 'cf' -d 'Column family to compact: objects, refs or metadata (repeatable; default all).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts compact" max-duration' -l 'max-duration' -d 'Stop between key ranges after this long (e.g. 10m).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts compact" prune-unreachable' -l 'prune-unreachable' -d 'Delete objects no ref has reached for this long (e.g. 2w; 0 for now).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts compact" repack' -l 'repack' -d 'Deltify objects stored whole, with bounded chain depth.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts compact"' -l 'repo' -d 'Repository to prune or repack (repeatable; default all).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts compact" rate' -l 'rate' -d 'Stored bytes read per second by prune and repack (e.g. 64M); default unlimited offline, 4M through a node.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts compact" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts compact" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts migrate" -eq 1' -fa 'import' -d 'Import all refs and objects of a git repository (path or URL) into a repository, with its Git LFS objects.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts migrate" -eq 1' -fa 'export' -d 'Export a repository to a new bare git repository, with its Git LFS objects under lfs/objects.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts migrate" -eq 1' -fa 'status' -d 'Show the storage schema version and pending migrations.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts migrate" -eq 1' -fa 'up' -d 'Apply pending schema migrations, checkpointing RocksDB before each (node must be stopped).'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts migrate" -eq 1' -fa 'down' -d 'Restore the checkpoint taken before the last migration (node must be stopped).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate import" data-dir' -l 'data-dir' -d 'The node\'s data directory (default: $GUTS_DATA_DIR).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate import" node' -l 'node' -d 'URL of a running node to work through instead of opening the data directory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate import" token' -l 'token' -d 'Admin token for --node (default: $GUTS_ADMIN_TOKEN, then <data-dir>/admin-token).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate import" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate import" quiet' -l 'quiet' -d 'Print nothing but errors (for cron).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate import" name' -l 'name' -d 'Target repository, owner/name (created when missing).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate import" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate export" data-dir' -l 'data-dir' -d 'The node\'s data directory (default: $GUTS_DATA_DIR).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate export" node' -l 'node' -d 'URL of a running node to work through instead of opening the data directory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate export" token' -l 'token' -d 'Admin token for --node (default: $GUTS_ADMIN_TOKEN, then <data-dir>/admin-token).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate export" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate export" quiet' -l 'quiet' -d 'Print nothing but errors (for cron).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate export" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate status" data-dir' -l 'data-dir' -d 'The node\'s data directory (default: $GUTS_DATA_DIR).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate status" node' -l 'node' -d 'URL of a running node to work through instead of opening the data directory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate status" token' -l 'token' -d 'Admin token for --node (default: $GUTS_ADMIN_TOKEN, then <data-dir>/admin-token).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate status" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate status" quiet' -l 'quiet' -d 'Print nothing but errors (for cron).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate status" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate up" data-dir' -l 'data-dir' -d 'The node\'s data directory (default: $GUTS_DATA_DIR).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate up" node' -l 'node' -d 'URL of a running node to work through instead of opening the data directory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate up" token' -l 'token' -d 'Admin token for --node (default: $GUTS_ADMIN_TOKEN, then <data-dir>/admin-token).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate up" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate up" quiet' -l 'quiet' -d 'Print nothing but errors (for cron).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate up" to' -l 'to' -d 'Stop at this schema version.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate up" dry-run' -l 'dry-run' -d 'Only say what would change.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate up" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate up" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate down" data-dir' -l 'data-dir' -d 'The node\'s data directory (default: $GUTS_DATA_DIR).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate down" node' -l 'node' -d 'URL of a running node to work through instead of opening the data directory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate down" token' -l 'token' -d 'Admin token for --node (default: $GUTS_ADMIN_TOKEN, then <data-dir>/admin-token).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate down" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate down" quiet' -l 'quiet' -d 'Print nothing but errors (for cron).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate down" dry-run' -l 'dry-run' -d 'Only say what would change.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate down" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts migrate down" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts fsck" data-dir' -l 'data-dir' -d 'The node\'s data directory (default: $GUTS_DATA_DIR).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts fsck" node' -l 'node' -d 'URL of a running node to work through instead of opening the data directory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts fsck" token' -l 'token' -d 'Admin token for --node (default: $GUTS_ADMIN_TOKEN, then <data-dir>/admin-token).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts fsck" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts fsck" quiet' -l 'quiet' -d 'Print nothing but errors (for cron).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts fsck" all-members' -l 'all-members' -d 'In a cluster: ask the node (--node, or the one holding --data-dir) for the live members and run on each, reporting per node.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts fsck"' -l 'repo' -d 'Repository owner/name to check (repeatable; default all).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts fsck" max-duration' -l 'max-duration' -d 'Stop before the next repository after this long (e.g. 30m).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts fsck" rate' -l 'rate' -d 'Stored bytes read per second (e.g. 64M); default unlimited offline, 4M through a node.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts fsck" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts fsck" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts backup" -eq 1' -fa 'create' -d 'Back up the data directory into DIR while the node serves (RocksDB BackupEngine, incremental).'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts backup" -eq 1' -fa 'list' -d 'List the backups in a backup directory.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts backup" -eq 1' -fa 'verify' -d 'Check a backup in full: restore its database to scratch space, read every block, re-hash its files.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts backup" -eq 1' -fa 'restore' -d 'Restore a backup into a new, empty data directory.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup create" data-dir' -l 'data-dir' -d 'The node\'s data directory (default: $GUTS_DATA_DIR).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup create" node' -l 'node' -d 'URL of a running node to work through instead of opening the data directory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup create" token' -l 'token' -d 'Admin token for --node (default: $GUTS_ADMIN_TOKEN, then <data-dir>/admin-token).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup create" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup create" quiet' -l 'quiet' -d 'Print nothing but errors (for cron).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup create" to' -l 'to' -d 'The backup directory (created when missing).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup create" keep' -l 'keep' -d 'Keep only the newest N backups.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup create" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup list" from' -l 'from' -d 'The backup directory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup list" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup list" quiet' -l 'quiet' -d 'Print nothing but errors (for cron).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup list" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup verify" from' -l 'from' -d 'The backup directory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup verify" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup verify" quiet' -l 'quiet' -d 'Print nothing but errors (for cron).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup verify" id' -l 'id' -d 'Backup id (default the newest).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup verify" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup restore" from' -l 'from' -d 'The backup directory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup restore" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup restore" quiet' -l 'quiet' -d 'Print nothing but errors (for cron).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup restore" id' -l 'id' -d 'Backup id (default the newest).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup restore" data-dir' -l 'data-dir' -d 'The new data directory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup restore" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts backup restore" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts archive" -eq 1' -fa 'get' -d 'Write one archive of a repository at a ref to a file.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts archive" -eq 1' -fa 'warm' -d 'Pre-generate tar.gz and zip archives of default branches and newest tags.'
complete -c 'guts' -n '__guts_should_offer_completions_for_positional "guts archive" -eq 1' -fa 'prune' -d 'Delete cached archives to stay within bounds.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive get" data-dir' -l 'data-dir' -d 'The node\'s data directory (default: $GUTS_DATA_DIR).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive get" node' -l 'node' -d 'URL of a running node to work through instead of opening the data directory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive get" token' -l 'token' -d 'Admin token for --node (default: $GUTS_ADMIN_TOKEN, then <data-dir>/admin-token).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive get" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive get" quiet' -l 'quiet' -d 'Print nothing but errors (for cron).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive get" format' -l 'format' -d 'tar, tar.gz or zip.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive get" o output' -l 'output' -s 'o' -d 'Output file (default: <name>-<ref>.<ext>; - for stdout).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive get" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive get" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive warm" data-dir' -l 'data-dir' -d 'The node\'s data directory (default: $GUTS_DATA_DIR).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive warm" node' -l 'node' -d 'URL of a running node to work through instead of opening the data directory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive warm" token' -l 'token' -d 'Admin token for --node (default: $GUTS_ADMIN_TOKEN, then <data-dir>/admin-token).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive warm" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive warm" quiet' -l 'quiet' -d 'Print nothing but errors (for cron).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive warm"' -l 'repo' -d 'Repository owner/name (repeatable; default all).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive warm" tags' -l 'tags' -d 'How many of the newest tags to include.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive warm" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive warm" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive prune" data-dir' -l 'data-dir' -d 'The node\'s data directory (default: $GUTS_DATA_DIR).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive prune" node' -l 'node' -d 'URL of a running node to work through instead of opening the data directory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive prune" token' -l 'token' -d 'Admin token for --node (default: $GUTS_ADMIN_TOKEN, then <data-dir>/admin-token).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive prune" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive prune" quiet' -l 'quiet' -d 'Print nothing but errors (for cron).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive prune" max-bytes' -l 'max-bytes' -d 'Keep at most this much (e.g. 2G), dropping least recently used first.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive prune" older-than' -l 'older-than' -d 'Drop archives not used for this long (e.g. 7d).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive prune" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts archive prune" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts cache-stats" data-dir' -l 'data-dir' -d 'The node\'s data directory (default: $GUTS_DATA_DIR).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts cache-stats" node' -l 'node' -d 'URL of a running node to work through instead of opening the data directory.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts cache-stats" token' -l 'token' -d 'Admin token for --node (default: $GUTS_ADMIN_TOKEN, then <data-dir>/admin-token).' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts cache-stats" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts cache-stats" quiet' -l 'quiet' -d 'Print nothing but errors (for cron).'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts cache-stats" all-members' -l 'all-members' -d 'In a cluster: ask the node (--node, or the one holding --data-dir) for the live members and run on each, reporting per node.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts cache-stats" format' -l 'format' -d 'Output format: table, json or prom.' -rfka 'table json prom'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts cache-stats" interval' -l 'interval' -d 'Print counter deltas every interval (e.g. 5s) instead of one snapshot.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts cache-stats" count' -l 'count' -d 'With --interval, stop after this many intervals.' -rfka ''
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts cache-stats" version' -l 'version' -d 'Show the version.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts cache-stats" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'guts' -n '__guts_should_offer_completions_for_flags_or_options "guts help" version' -l 'version' -d 'Show the version.'
