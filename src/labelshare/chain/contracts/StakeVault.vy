# pragma version ~=0.4.3
"""
@title labelshare Stake Vault
@custom:contract-name StakeVault
@license Apache-2.0
@notice Holds the stake annotators put up. An annotator deposits
        tokens, asks to withdraw some of them, and may take them out
        once the unbonding period has passed since the latest
        request; while unbonding the tokens can still be slashed, so
        leaving does not escape a penalty for work already done. The
        owner slashes an account, never by more than it has staked
        plus unbonding, and names the evidence (the hash of the
        epoch report) in the event. Slashed tokens go to a recipient
        the owner chooses, such as a project's escrow. Ownership is
        handed over in two steps. The vault works with any ERC-20
        that moves exactly the amounts it is asked to.
"""


from ethereum.ercs import IERC20


from snekmate.auth import ownable
initializes: ownable


from snekmate.auth import ownable_2step
initializes: ownable_2step[ownable := ownable]


# @dev Renouncing ownership is not exported: a vault without an
# owner could never slash again.
exports: (
    ownable_2step.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
)


# @dev Returns the token that stake is held in.
token: public(immutable(IERC20))


# @dev Returns the seconds that must pass between a
# withdrawal request and the withdrawal.
unbonding_period: public(immutable(uint256))


# @dev Returns the amount an account has staked and
# not asked to withdraw.
staked: public(HashMap[address, uint256])


# @dev Returns the amount an account has asked to withdraw
# and not yet withdrawn.
unbonding: public(HashMap[address, uint256])


# @dev Returns the earliest time (seconds since the epoch)
# at which an account may withdraw its unbonding amount.
unbonding_release_time: public(HashMap[address, uint256])


# @dev Emitted when `account` adds `amount` to its stake.
event Deposited:
    account: indexed(address)
    amount: uint256


# @dev Emitted when `account` starts unbonding `amount`;
# all of its unbonding stake is released at `release_time`.
event WithdrawalRequested:
    account: indexed(address)
    amount: uint256
    release_time: uint256


# @dev Emitted when `account` takes out `amount`.
event Withdrawn:
    account: indexed(address)
    amount: uint256


# @dev Emitted when the owner slashes `amount` of `account`'s
# stake and sends it to `recipient`; `evidence_hash` is the hash
# of the report that justifies it.
event Slashed:
    account: indexed(address)
    amount: uint256
    recipient: indexed(address)
    evidence_hash: bytes32


@deploy
@payable
def __init__(token_: IERC20, unbonding_period_: uint256):
    """
    @dev To omit the opcodes for checking the `msg.value`
         in the creation-time EVM bytecode, the constructor
         is declared as `payable`.
    @notice The deployer becomes the owner.
    @param token_ The ERC-20 token that stake is held in.
    @param unbonding_period_ The seconds between a withdrawal
           request and the withdrawal.
    """
    assert token_.address != empty(address), "StakeVault: token is the zero address"
    token = token_
    unbonding_period = unbonding_period_
    ownable.__init__()
    ownable_2step.__init__()


@external
def deposit(amount: uint256):
    """
    @dev Moves `amount` tokens from the caller into its stake.
    @notice The caller must first `approve` the vault for `amount`.
    @param amount The tokens to stake, in base units; not zero.
    """
    assert amount != 0, "StakeVault: amount is zero"
    self.staked[msg.sender] += amount
    assert extcall token.transferFrom(msg.sender, self, amount, default_return_value=True), "StakeVault: token transfer failed"
    log Deposited(account=msg.sender, amount=amount)


@external
def request_withdrawal(amount: uint256):
    """
    @dev Moves `amount` of the caller's stake into unbonding.
    @notice The whole unbonding amount, including any earlier
            request, is released `unbonding_period` seconds from now.
    @param amount The tokens to unbond, in base units; not zero and
           at most the caller's stake.
    """
    assert amount != 0, "StakeVault: amount is zero"
    available: uint256 = self.staked[msg.sender]
    assert amount <= available, "StakeVault: amount exceeds stake"
    self.staked[msg.sender] = available - amount
    self.unbonding[msg.sender] += amount
    release_time: uint256 = block.timestamp + unbonding_period
    self.unbonding_release_time[msg.sender] = release_time
    log WithdrawalRequested(account=msg.sender, amount=amount, release_time=release_time)


@external
def withdraw():
    """
    @dev Sends the caller all of its unbonding tokens.
    @notice Reverts when nothing is unbonding or the unbonding
            period of the latest request has not passed.
    """
    amount: uint256 = self.unbonding[msg.sender]
    assert amount != 0, "StakeVault: nothing to withdraw"
    assert block.timestamp >= self.unbonding_release_time[msg.sender], "StakeVault: still unbonding"
    self.unbonding[msg.sender] = 0
    self.unbonding_release_time[msg.sender] = 0
    assert extcall token.transfer(msg.sender, amount, default_return_value=True), "StakeVault: token transfer failed"
    log Withdrawn(account=msg.sender, amount=amount)


@external
def slash(account: address, amount: uint256, recipient: address, evidence_hash: bytes32):
    """
    @dev Takes `amount` of `account`'s stake, first from what is
         staked and then from what is unbonding, and sends it to
         `recipient`.
    @notice Only the owner may slash, and never more than the
            account's staked plus unbonding tokens.
    @param account The 20-byte address whose stake is slashed.
    @param amount The tokens to take, in base units; not zero.
    @param recipient The 20-byte address that receives them.
    @param evidence_hash The 32-byte hash of the report that
           justifies the slash.
    """
    assert msg.sender == ownable.owner, "StakeVault: caller is not the owner"
    assert amount != 0, "StakeVault: amount is zero"
    assert recipient != empty(address), "StakeVault: recipient is the zero address"
    staked: uint256 = self.staked[account]
    unbonding: uint256 = self.unbonding[account]
    assert amount <= staked + unbonding, "StakeVault: amount exceeds stake"
    from_staked: uint256 = min(amount, staked)
    self.staked[account] = staked - from_staked
    self.unbonding[account] = unbonding - (amount - from_staked)
    assert extcall token.transfer(recipient, amount, default_return_value=True), "StakeVault: token transfer failed"
    log Slashed(account=account, amount=amount, recipient=recipient, evidence_hash=evidence_hash)


@view
@external
def stake_of(account: address) -> (uint256, uint256, uint256):
    """
    @dev Returns an account's stake in one call.
    @param account The 20-byte address to look up.
    @return uint256 The tokens staked and not unbonding.
    @return uint256 The tokens unbonding.
    @return uint256 The earliest time the unbonding tokens can be
            withdrawn (zero when nothing is unbonding).
    """
    return self.staked[account], self.unbonding[account], self.unbonding_release_time[account]
