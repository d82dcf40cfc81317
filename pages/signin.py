"""Sign in: the only page reachable before sign-in."""

import streamlit as st

from app import auth, ui

_, middle, _ = st.columns([1, 2, 1])  # a narrow form reads better than a full-width one
with middle:
    st.title("Sign in to Scaleboard")
    st.caption("Is our data science paying off, and is it safe to scale?")
    auth.expire_cookie_after_sign_out()
    if notice := st.session_state.pop("auth_notice", None):
        st.warning(notice, icon=":material/lock_clock:")

    if auth.oidc_configured():
        for provider in auth.oidc_providers():
            if st.button(f"Sign in with {provider or 'single sign-on'}", type="primary", key=f"sso_{provider}"):
                st.login(provider) if provider else st.login()
    else:
        with st.form("signin", border=True):
            name = st.text_input("User name", key="signin_name", autocomplete="username",
                                 max_chars=auth.MAX_NAME_INPUT)
            password = st.text_input("Password", type="password", key="signin_password",
                                     autocomplete="current-password", max_chars=auth.MAX_PASSWORD_INPUT)
            submitted = st.form_submit_button("Sign in", type="primary")
        if submitted:
            with ui.panel():
                auth.sign_in_local(name, password)
                st.rerun()
        st.caption("No account? An administrator adds one with `scaleboard users add NAME --role ROLE`.")
