//! Written by hand rather than by `diesel print-schema`: one definition must fit both backends,
//! so ids are `BigInt` even where SQLite declares `INTEGER PRIMARY KEY`.

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        email_key -> Text,
        display_name -> Text,
        password_hash -> Text,
        base_currency -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        family -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sign_ins (id) {
        id -> BigInt,
        user_id -> BigInt,
        handle -> Text,
        kind -> Text,
        user_agent -> Text,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        name -> Nullable<Text>,
        scopes -> Nullable<Text>,
        expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_throttle (scope) {
        scope -> Text,
        window_started_at -> Timestamp,
        attempts -> BigInt,
    }
}

diesel::table! {
    accounts (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        kind -> Text,
        currency -> Text,
        opening_balance -> BigInt,
        archived -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    categories (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        parent_id -> Nullable<BigInt>,
        kind -> Text,
        color -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    imports (id) {
        id -> BigInt,
        user_id -> BigInt,
        account_id -> BigInt,
        filename -> Text,
        format -> Text,
        status -> Text,
        mapping -> Text,
        file_key -> Text,
        file_sha256 -> Text,
        file_size -> BigInt,
        total_rows -> BigInt,
        processed_rows -> BigInt,
        imported_count -> BigInt,
        duplicate_count -> BigInt,
        error_count -> BigInt,
        skipped_count -> BigInt,
        problems -> Text,
        failure -> Nullable<Text>,
        created_at -> Timestamp,
        committed_at -> Nullable<Timestamp>,
        undone_at -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        claimed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    transactions (id) {
        id -> BigInt,
        user_id -> BigInt,
        account_id -> BigInt,
        date -> Date,
        amount -> BigInt,
        description -> Text,
        merchant -> Nullable<Text>,
        notes -> Nullable<Text>,
        category_id -> Nullable<BigInt>,
        category_source -> Nullable<Text>,
        category_confidence -> Nullable<Double>,
        is_transfer -> Bool,
        import_id -> Nullable<BigInt>,
        external_id -> Nullable<Text>,
        fingerprint -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        suggested_category_id -> Nullable<BigInt>,
        merchant_key -> Nullable<Text>,
    }
}

diesel::table! {
    rules (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        priority -> Integer,
        match_kind -> Text,
        pattern -> Text,
        min_amount -> Nullable<BigInt>,
        max_amount -> Nullable<BigInt>,
        account_id -> Nullable<BigInt>,
        category_id -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    mapping_profiles (id) {
        id -> BigInt,
        user_id -> BigInt,
        account_id -> BigInt,
        layout -> Text,
        mapping -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    budgets (id) {
        id -> BigInt,
        user_id -> BigInt,
        category_id -> Nullable<BigInt>,
        amount -> BigInt,
        rollover -> Bool,
        starts_on -> Date,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    category_feedback (id) {
        id -> BigInt,
        user_id -> BigInt,
        merchant_key -> Text,
        example -> Text,
        category_id -> BigInt,
        hits -> BigInt,
        updated_at -> Timestamp,
        credit -> Bool,
    }
}

diesel::table! {
    budget_overrides (id) {
        id -> BigInt,
        budget_id -> BigInt,
        month -> Date,
        amount -> BigInt,
    }
}

diesel::table! {
    ledger_versions (user_id) {
        user_id -> BigInt,
        version -> BigInt,
    }
}

diesel::table! {
    monthly_sums (account_id, month, category_id) {
        account_id -> BigInt,
        month -> Date,
        category_id -> Nullable<BigInt>,
        inflow -> BigInt,
        outflow -> BigInt,
        count -> BigInt,
    }
}

diesel::table! {
    merchant_sums (account_id, month, merchant_key, merchant) {
        account_id -> BigInt,
        month -> Date,
        merchant_key -> Text,
        merchant -> Nullable<Text>,
        outflow -> BigInt,
        count -> BigInt,
    }
}

diesel::table! {
    debts (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        kind -> Text,
        currency -> Text,
        balance -> BigInt,
        apr_bp -> BigInt,
        minimum_kind -> Text,
        minimum_amount -> BigInt,
        minimum_percent_bp -> Nullable<BigInt>,
        final_month -> Nullable<Date>,
        promo_apr_bp -> Nullable<BigInt>,
        promo_ends -> Nullable<Date>,
        due_day -> Nullable<Integer>,
        account_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    goals (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        target_amount -> BigInt,
        currency -> Text,
        target_date -> Nullable<Date>,
        savings_share_bp -> Nullable<BigInt>,
        state -> Text,
        starts_on -> Date,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    goal_accounts (id) {
        id -> BigInt,
        goal_id -> BigInt,
        account_id -> BigInt,
        amount -> BigInt,
    }
}

diesel::table! {
    goal_contributions (id) {
        id -> BigInt,
        goal_id -> BigInt,
        date -> Date,
        amount -> BigInt,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    goal_pauses (id) {
        id -> BigInt,
        goal_id -> BigInt,
        from_month -> Date,
        to_month -> Nullable<Date>,
    }
}

diesel::table! {
    goal_milestones (id) {
        id -> BigInt,
        goal_id -> BigInt,
        percent -> Integer,
        reached_on -> Date,
        seen -> Bool,
    }
}

diesel::table! {
    badges (id) {
        id -> BigInt,
        user_id -> BigInt,
        key -> Text,
        earned_on -> Date,
        fact -> Text,
        created_at -> Timestamp,
        seen -> Bool,
    }
}

diesel::table! {
    badge_settings (id) {
        id -> BigInt,
        user_id -> BigInt,
        enabled -> Bool,
    }
}

diesel::table! {
    recurring_series (id) {
        id -> BigInt,
        user_id -> BigInt,
        series_key -> Text,
        choice -> Text,
        name -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reports (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        period_kind -> Text,
        period_from -> Date,
        period_to -> Date,
        include_transactions -> Bool,
        status -> Text,
        progress -> Integer,
        transaction_count -> BigInt,
        failure -> Nullable<Text>,
        file_key -> Nullable<Text>,
        file_size -> Nullable<BigInt>,
        claimed_by -> Nullable<Text>,
        claimed_at -> Nullable<Timestamp>,
        attempts -> Integer,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    report_accounts (report_id, account_id) {
        report_id -> BigInt,
        account_id -> BigInt,
    }
}

diesel::table! {
    summary_settings (user_id) {
        user_id -> BigInt,
        weekly -> Bool,
        weekly_day -> Integer,
        weekly_since -> Nullable<Date>,
        monthly -> Bool,
        monthly_day -> Integer,
        monthly_since -> Nullable<Date>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    summary_sends (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        period_start -> Date,
        status -> Text,
        claimed_by -> Text,
        claimed_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    anomalies (id) {
        id -> BigInt,
        user_id -> BigInt,
        anomaly_key -> Text,
        kind -> Text,
        subject -> Text,
        magnitude -> BigInt,
        date -> Date,
        dismissed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    insights (id) {
        id -> BigInt,
        user_id -> BigInt,
        insight_key -> Text,
        dismissed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(report_accounts -> reports (report_id));
diesel::joinable!(sign_ins -> users (user_id));
diesel::joinable!(monthly_sums -> accounts (account_id));
diesel::joinable!(merchant_sums -> accounts (account_id));
diesel::joinable!(budget_overrides -> budgets (budget_id));
diesel::joinable!(goal_accounts -> goals (goal_id));
diesel::joinable!(goal_milestones -> goals (goal_id));
diesel::joinable!(transactions -> accounts (account_id));
diesel::joinable!(transactions -> categories (category_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    refresh_tokens,
    sign_ins,
    login_throttle,
    accounts,
    categories,
    imports,
    transactions,
    rules,
    mapping_profiles,
    budgets,
    budget_overrides,
    category_feedback,
    monthly_sums,
    merchant_sums,
    ledger_versions,
    debts,
    goals,
    goal_accounts,
    goal_contributions,
    goal_pauses,
    goal_milestones,
    badges,
    badge_settings,
    recurring_series,
    reports,
    report_accounts,
    summary_settings,
    summary_sends,
    anomalies,
    insights,
);
