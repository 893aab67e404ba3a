#!/bin/bash

__guts_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__guts_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__guts_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__guts_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_guts() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __guts_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    serve|bench|profile|compact|migrate|fsck|backup|archive|cache-stats|help)
        # Offer subcommand argument completions
        "_guts_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'serve bench profile compact migrate fsck backup archive cache-stats help' -- "${cur}"))
        ;;
    esac
}

_guts_serve() {
    repeating_flags=()
    non_repeating_flags=(--profile-continuous --version -h --help)
    repeating_options=()
    non_repeating_options=(--listen --data-dir --config --storage --block-cache --object-cache --log-format --log-level --request-timeout --profile-rate --profile-allocations --public-url --webhook-allowed-hosts --etcd --node-name --advertise --replication --cluster-token-file)
    __guts_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--listen')
        return
        ;;
    '--data-dir')
        return
        ;;
    '--config')
        return
        ;;
    '--storage')
        return
        ;;
    '--block-cache')
        return
        ;;
    '--object-cache')
        return
        ;;
    '--log-format')
        return
        ;;
    '--log-level')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '--profile-rate')
        return
        ;;
    '--profile-allocations')
        return
        ;;
    '--public-url')
        return
        ;;
    '--webhook-allowed-hosts')
        return
        ;;
    '--etcd')
        return
        ;;
    '--node-name')
        return
        ;;
    '--advertise')
        return
        ;;
    '--replication')
        return
        ;;
    '--cluster-token-file')
        return
        ;;
    esac
}

_guts_bench() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=(--fail-on)
    non_repeating_options=(--url --token --html --save-baseline --baseline --baseline-dir --threshold --duration --warmup --samples --connections --write-connections --rate --clone-rate --push-rate --rate-concurrency --path --sizes --threads --batches --backends --objects --clone-mb --repository --peer --push-samples --push-bytes --mix --mix-rate --interval --drift --hold --repos)
    __guts_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--token')
        return
        ;;
    '--html')
        return
        ;;
    '--save-baseline')
        return
        ;;
    '--baseline')
        return
        ;;
    '--baseline-dir')
        return
        ;;
    '--threshold')
        return
        ;;
    '--fail-on')
        return
        ;;
    '--duration')
        return
        ;;
    '--warmup')
        return
        ;;
    '--samples')
        return
        ;;
    '--connections')
        return
        ;;
    '--write-connections')
        return
        ;;
    '--rate')
        return
        ;;
    '--clone-rate')
        return
        ;;
    '--push-rate')
        return
        ;;
    '--rate-concurrency')
        return
        ;;
    '--path')
        return
        ;;
    '--sizes')
        return
        ;;
    '--threads')
        return
        ;;
    '--batches')
        return
        ;;
    '--backends')
        return
        ;;
    '--objects')
        return
        ;;
    '--clone-mb')
        return
        ;;
    '--repository')
        return
        ;;
    '--peer')
        __guts_add_completions -W 'git-daemon'$'\n''http-backend'
        return
        ;;
    '--push-samples')
        return
        ;;
    '--push-bytes')
        return
        ;;
    '--mix')
        return
        ;;
    '--mix-rate')
        return
        ;;
    '--interval')
        return
        ;;
    '--drift')
        return
        ;;
    '--hold')
        return
        ;;
    '--repos')
        return
        ;;
    esac
}

_guts_profile() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __guts_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    record|diff)
        # Offer subcommand argument completions
        "_guts_profile_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'record diff' -- "${cur}"))
        ;;
    esac
}

_guts_profile_record() {
    repeating_flags=()
    non_repeating_flags=(--threads --heap --version -h --help)
    repeating_options=()
    non_repeating_options=(--node --token --data-dir --since --duration --rate --mode --folded --svg --speedscope --pprof --memory-csv --memory-json --memory-svg --memory-interval --alloc-svg --alloc-folded --inuse-svg --inuse-folded --alloc-interval --heap-sample)
    __guts_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--node')
        return
        ;;
    '--token')
        return
        ;;
    '--data-dir')
        return
        ;;
    '--since')
        return
        ;;
    '--duration')
        return
        ;;
    '--rate')
        return
        ;;
    '--mode')
        __guts_add_completions -W 'cpu'$'\n''wall'
        return
        ;;
    '--folded')
        return
        ;;
    '--svg')
        return
        ;;
    '--speedscope')
        return
        ;;
    '--pprof')
        return
        ;;
    '--memory-csv')
        return
        ;;
    '--memory-json')
        return
        ;;
    '--memory-svg')
        return
        ;;
    '--memory-interval')
        return
        ;;
    '--alloc-svg')
        return
        ;;
    '--alloc-folded')
        return
        ;;
    '--inuse-svg')
        return
        ;;
    '--inuse-folded')
        return
        ;;
    '--alloc-interval')
        return
        ;;
    '--heap-sample')
        return
        ;;
    esac
}

_guts_profile_diff() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--svg --title)
    __guts_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--svg')
        return
        ;;
    '--title')
        return
        ;;
    esac
}

_guts_compact() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet --all-members --repack --version -h --help)
    repeating_options=(--cf --repo)
    non_repeating_options=(--data-dir --node --token --max-duration --prune-unreachable --rate)
    __guts_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--data-dir')
        return
        ;;
    '--node')
        return
        ;;
    '--token')
        return
        ;;
    '--cf')
        return
        ;;
    '--max-duration')
        return
        ;;
    '--prune-unreachable')
        return
        ;;
    '--repo')
        return
        ;;
    '--rate')
        return
        ;;
    esac
}

_guts_migrate() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __guts_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    import|export|status|up|down)
        # Offer subcommand argument completions
        "_guts_migrate_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'import export status up down' -- "${cur}"))
        ;;
    esac
}

_guts_migrate_import() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--data-dir --node --token --name)
    __guts_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--data-dir')
        return
        ;;
    '--node')
        return
        ;;
    '--token')
        return
        ;;
    '--name')
        return
        ;;
    esac
}

_guts_migrate_export() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--data-dir --node --token)
    __guts_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--data-dir')
        return
        ;;
    '--node')
        return
        ;;
    '--token')
        return
        ;;
    esac
}

_guts_migrate_status() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--data-dir --node --token)
    __guts_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--data-dir')
        return
        ;;
    '--node')
        return
        ;;
    '--token')
        return
        ;;
    esac
}

_guts_migrate_up() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--data-dir --node --token --to)
    __guts_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--data-dir')
        return
        ;;
    '--node')
        return
        ;;
    '--token')
        return
        ;;
    '--to')
        return
        ;;
    esac
}

_guts_migrate_down() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--data-dir --node --token)
    __guts_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--data-dir')
        return
        ;;
    '--node')
        return
        ;;
    '--token')
        return
        ;;
    esac
}

_guts_fsck() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet --all-members --version -h --help)
    repeating_options=(--repo)
    non_repeating_options=(--data-dir --node --token --max-duration --rate)
    __guts_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--data-dir')
        return
        ;;
    '--node')
        return
        ;;
    '--token')
        return
        ;;
    '--repo')
        return
        ;;
    '--max-duration')
        return
        ;;
    '--rate')
        return
        ;;
    esac
}

_guts_backup() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __guts_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|list|verify|restore)
        # Offer subcommand argument completions
        "_guts_backup_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create list verify restore' -- "${cur}"))
        ;;
    esac
}

_guts_backup_create() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--data-dir --node --token --to --keep)
    __guts_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--data-dir')
        return
        ;;
    '--node')
        return
        ;;
    '--token')
        return
        ;;
    '--to')
        return
        ;;
    '--keep')
        return
        ;;
    esac
}

_guts_backup_list() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--from)
    __guts_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--from')
        return
        ;;
    esac
}

_guts_backup_verify() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--from --id)
    __guts_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--from')
        return
        ;;
    '--id')
        return
        ;;
    esac
}

_guts_backup_restore() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--from --id --data-dir)
    __guts_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--from')
        return
        ;;
    '--id')
        return
        ;;
    '--data-dir')
        return
        ;;
    esac
}

_guts_archive() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __guts_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    get|warm|prune)
        # Offer subcommand argument completions
        "_guts_archive_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'get warm prune' -- "${cur}"))
        ;;
    esac
}

_guts_archive_get() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--data-dir --node --token --format --output -o)
    __guts_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--data-dir')
        return
        ;;
    '--node')
        return
        ;;
    '--token')
        return
        ;;
    '--format')
        return
        ;;
    '--output'|'-o')
        return
        ;;
    esac
}

_guts_archive_warm() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet --version -h --help)
    repeating_options=(--repo)
    non_repeating_options=(--data-dir --node --token --tags)
    __guts_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--data-dir')
        return
        ;;
    '--node')
        return
        ;;
    '--token')
        return
        ;;
    '--repo')
        return
        ;;
    '--tags')
        return
        ;;
    esac
}

_guts_archive_prune() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--data-dir --node --token --max-bytes --older-than)
    __guts_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--data-dir')
        return
        ;;
    '--node')
        return
        ;;
    '--token')
        return
        ;;
    '--max-bytes')
        return
        ;;
    '--older-than')
        return
        ;;
    esac
}

_guts_cache-stats() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet --all-members --version -h --help)
    repeating_options=()
    non_repeating_options=(--data-dir --node --token --format --interval --count)
    __guts_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--data-dir')
        return
        ;;
    '--node')
        return
        ;;
    '--token')
        return
        ;;
    '--format')
        __guts_add_completions -W 'table'$'\n''json'$'\n''prom'
        return
        ;;
    '--interval')
        return
        ;;
    '--count')
        return
        ;;
    esac
}

_guts_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __guts_offer_flags_options -1
}

complete -o filenames -F _guts guts
